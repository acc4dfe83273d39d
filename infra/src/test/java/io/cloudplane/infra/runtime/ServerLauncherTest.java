package io.cloudplane.infra.runtime;

import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.files.LocalEnvironmentFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerLauncherTest {
    @TempDir
    Path dataDir;

    private final String envId = UUID.randomUUID().toString();

    @Test
    void aJavaCommandGetsThisJvmTheBuiltinClasspathThePortAndTheMarker() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = ServerLauncher.command(spec("{java} -cp {builtin-classpath} io.cloudplane.Server --port={port}"), 8123);

        assertEquals(List.of(java, ServerLauncher.MARKER + envId, "-cp", ServerLauncher.builtinClasspath(), "io.cloudplane.Server",
                "--port=8123"), command);
        assertEquals(3, ServerLauncher.builtinClasspath().split(File.pathSeparator).length, "its classes, the driver, jackson-core");
    }

    @Test
    void anyOtherCommandRunsAsWrittenAndABlankOneIsRefused() {
        assertEquals(List.of("sleep", "600"), ServerLauncher.command(spec("  sleep   600 "), 8123));
        assertEquals("Server version 1.0.0 has no local command",
                assertThrows(IllegalArgumentException.class, () -> ServerLauncher.command(spec(" "), 1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServerLauncher.command(spec(null), 1));
    }

    @Test
    void theServerRunsInTheRunFolderWithItsSettingsAndAppendsItsOutputToTheLog() throws Exception {
        LocalEnvironmentFiles files = new LocalEnvironmentFiles(new CloudplaneSettings(dataDir.toString()));
        files.createFolders(envId);
        ServerLogs logs = new ServerLogs(files);
        Path runDir = files.runDir(envId);
        Files.writeString(runDir.resolve("print.sh"), """
                echo "$PORT $CLOUDPLANE_ENV_ID $CLOUDPLANE_SERVER_VERSION"
                echo "$DATABASE_URL $DATABASE_USERNAME $DATABASE_PASSWORD"
                echo "$CODE_DIR $RESOURCES_DIR"
                pwd
                echo "to stderr" >&2
                """);
        Files.writeString(logs.file(envId), "earlier output\n");

        ServerProcess server = new ServerLauncher(files, logs).launch(spec("sh print.sh"), 8123, runDir.resolve("server.pid"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !server.isAlive());

        assertEquals(Long.toString(server.pid()), Files.readString(runDir.resolve("server.pid")));
        assertEquals(new ServerEndpoint(8123, "http://127.0.0.1:8123/"), server.endpoint());
        assertEquals("1.0.0", server.version());
        assertEquals(List.of("earlier output", "8123 " + envId + " 1.0.0", "jdbc:postgresql://db/env env_x pw",
                files.codeDir(envId) + " " + files.resourcesDir(envId), runDir.toRealPath().toString(), "to stderr"),
                logs.tail(envId, 10));
        assertTrue(server.cpuBaseline().get() == null, "not sampled yet");
    }

    @Test
    void theServerInheritsNoneOfTheControlPlanesOwnVariables() throws Exception {
        LocalEnvironmentFiles files = new LocalEnvironmentFiles(new CloudplaneSettings(dataDir.toString()));
        files.createFolders(envId);
        ServerLogs logs = new ServerLogs(files);
        Path runDir = files.runDir(envId);
        Files.writeString(runDir.resolve("env.sh"), "env\n");
        assertTrue(System.getenv().keySet().stream().anyMatch(k -> !ServerLauncher.INHERITED.contains(k)),
                "this JVM has variables of its own (JAVA_HOME, HOME, ...) to leave behind");

        ServerProcess server = new ServerLauncher(files, logs).launch(spec("sh env.sh"), 8123, runDir.resolve("server.pid"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !server.isAlive());

        List<String> names = logs.tail(envId, 100).stream().filter(l -> l.contains("=")).map(l -> l.substring(0, l.indexOf('=')))
                .filter(n -> !n.equals("PWD") && !n.equals("SHLVL") && !n.equals("_")).sorted().toList(); // set by sh itself
        List<String> allowed = new java.util.ArrayList<>(List.of("CLOUDPLANE_ENV_ID", "CLOUDPLANE_SERVER_VERSION", "CODE_DIR",
                "DATABASE_PASSWORD", "DATABASE_URL", "DATABASE_USERNAME", "PORT", "RESOURCES_DIR"));
        ServerLauncher.INHERITED.stream().filter(n -> System.getenv(n) != null).forEach(allowed::add);
        assertEquals(allowed.stream().sorted().toList(), names);
    }

    private ServerSpec spec(String command) {
        return new ServerSpec(envId, new ServerVersion("1.0.0", command, null), null, "jdbc:postgresql://db/env", "env_x", "pw");
    }
}
