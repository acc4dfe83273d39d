package io.cloudplane.api.sftp;

import io.cloudplane.infra.config.CdsTraining;
import io.cloudplane.infra.sftp.SftpHostKey;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SFTP server starts with an API process (or as the sidecar of one environment) on a free port, and not where it must not. */
class SftpServerStartupTest {
    @TempDir
    Path dataDir;

    @Test
    void startsWithTheApiOnAFreePortWithAHostKeyKeptUnderTheDataDirectory() throws Exception {
        String fingerprint;
        try (ApplicationContext context = context(Map.of())) {
            SftpServer server = context.getBean(SftpServer.class);
            assertTrue(server.port() > 0);
            try (Socket socket = new Socket("127.0.0.1", server.port()); InputStream in = socket.getInputStream()) {
                byte[] banner = new byte[8];
                assertEquals(8, in.readNBytes(banner, 0, 8));
                assertEquals("SSH-2.0-", new String(banner, StandardCharsets.US_ASCII));
            }
            fingerprint = context.getBean(SftpHostKey.class).fingerprint();
            assertTrue(Files.exists(dataDir.resolve("sftp/ssh_host_ecdsa_key")));
        }
        // the sidecar of one environment serves without the API, with the same host key
        try (ApplicationContext context = context(Map.of("cloudplane.api.enabled", "false",
                "cloudplane.sftp.environment", "development-shop-1a2b3c4d5e6f", "cloudplane.sftp.files-root", dataDir.resolve("volume").toString()))) {
            assertTrue(context.getBean(SftpServer.class).port() > 0);
            assertEquals(fingerprint, context.getBean(SftpHostKey.class).fingerprint(), "the host key never changes");
        }
    }

    @Test
    void notInAWorkerOnlyProcessATrainingStartOrWhenDisabled() {
        try (ApplicationContext context = context(Map.of("cloudplane.api.enabled", "false"))) {
            assertFalse(context.containsBean(SftpServer.class));
        }
        try (ApplicationContext context = context(Map.of("cloudplane.sftp.enabled", "false"))) {
            assertFalse(context.containsBean(SftpServer.class));
        }
        try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).environments("test", CdsTraining.ENVIRONMENT)
                .properties(properties(Map.of())).start()) {
            assertFalse(context.containsBean(SftpServer.class));
        }
    }

    private ApplicationContext context(Map<String, Object> extra) {
        return ApplicationContext.builder().deduceEnvironment(false).environments("test").properties(properties(extra)).start();
    }

    private Map<String, Object> properties(Map<String, Object> extra) {
        Map<String, Object> properties = new HashMap<>(Map.of("cloudplane.data-dir", dataDir.toString(), "cloudplane.gateway.port", 0,
                "cloudplane.gateway.tls-port", 0, "cloudplane.sftp.port", 0));
        properties.putAll(extra);
        return properties;
    }
}
