package io.cloudplane.api.sftp;

import io.cloudplane.api.JsonCalls;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRecord.EnvironmentType;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.sftp.SftpUserNames;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.context.annotation.Property;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.forward.ExplicitPortForwardingTracker;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An idle session is closed; a port forward through the SFTP server reaches nothing. */
@MicronautTest(transactional = false)
@Property(name = "cloudplane.sftp.idle-timeout", value = "2s")
class SftpIdleAndForwardingTest {
    private static final String PASSWORD = "correct-horse-battery";

    @Inject SftpServer sftpServer;
    @Inject EnvironmentRepository environments;
    @Inject EnvironmentFiles files;
    @Inject EmbeddedServer server;
    @Inject JsonMapper json;

    @Test
    @SuppressWarnings("unchecked")
    void anIdleSessionIsClosedAndNothingIsForwarded() throws Exception {
        JsonCalls calls = new JsonCalls(server, json);
        String email = "sftp-idle-" + UUID.randomUUID() + "@example.com";
        assertEquals(201, calls.call("POST", "/api/v1/accounts", Map.of("email", email, "password", PASSWORD,
                "firstName", "Idle", "lastName", "Person"), null).status());
        String token = (String) calls.call("POST", "/api/v1/sessions", Map.of("email", email, "password", PASSWORD), null).body().get("accessToken");
        JsonCalls.Answer app = calls.call("POST", "/api/v1/apps", Map.of("name", "idle-" + UUID.randomUUID().toString().substring(0, 8)), token);
        assertEquals(202, app.status(), app.body().toString());
        UUID appId = UUID.fromString((String) app.body().get("id"));
        UUID envId = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        environments.save(new EnvironmentRecord(envId, appId, "sftpdev", EnvironmentType.DEVELOPMENT, null, EnvironmentStatus.RUNNING, null,
                "1.0.0", null, null, EnvironmentRecord.databaseNameFor(envId), null, now, now));
        files.createFolders(envId.toString());
        String userName = SftpUserNames.of(email, environments.findById(envId).orElseThrow().hostLabel());

        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        client.start();
        try (ServerSocket target = new ServerSocket(0)) {
            Thread accepting = new Thread(() -> {
                try (Socket s = target.accept(); OutputStream out = s.getOutputStream()) {
                    out.write("reached".getBytes(StandardCharsets.US_ASCII));
                } catch (Exception ignored) {
                    // closed at the end of the test
                }
            });
            accepting.setDaemon(true);
            accepting.start();
            ClientSession session = client.connect(userName, "127.0.0.1", sftpServer.port()).verify(Duration.ofSeconds(10)).getSession();
            session.addPasswordIdentity(PASSWORD);
            session.auth().verify(Duration.ofSeconds(10));
            try (ExplicitPortForwardingTracker forward = session.createLocalPortForwardingTracker(
                    new SshdSocketAddress("127.0.0.1", 0), new SshdSocketAddress("127.0.0.1", target.getLocalPort()));
                 Socket socket = new Socket("127.0.0.1", forward.getBoundAddress().getPort())) {
                socket.setSoTimeout(10_000);
                InputStream in = socket.getInputStream();
                assertEquals(-1, in.read(), "the forward is refused: the target is never reached");
            }
            Instant idleSince = Instant.now();
            await().atMost(Duration.ofSeconds(10)).until(() -> !session.isOpen());
            assertTrue(Duration.between(idleSince, Instant.now()).toMillis() >= 1000, "closed for idleness, not at once");
        } finally {
            client.stop();
        }
    }
}
