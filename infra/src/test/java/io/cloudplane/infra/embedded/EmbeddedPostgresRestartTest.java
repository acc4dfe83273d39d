package io.cloudplane.infra.embedded;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The all-in-one SIGKILLed leaves its postmaster running on the data directory (pg_ctl detaches
 * it); started again at once, the embedded PostgreSQL must stop that orphan and come up within
 * seconds, not give up after its 30 s start-up wait.
 */
class EmbeddedPostgresRestartTest {

    @Test
    void startsAgainAtOnceAfterItsProcessWasKilled() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "pg-restart-").toAbsolutePath().resolve("postgres");
        Process child = startChild(dataDir);
        long orphanPid = -1;
        try {
            String[] ready = awaitReady(child);
            orphanPid = Long.parseLong(ready[2]);

            // While its owner lives, the directory is not taken from it.
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> OrphanedPostmaster.stopIfAny(dataDir));
            assertTrue(refused.getMessage().contains("Another running process"), refused.getMessage());

            child.destroyForcibly(); // SIGKILL
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            assertTrue(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive).orElse(false),
                    "the precondition of the defect: the postmaster outlives its SIGKILLed JVM");

            long started = System.nanoTime();
            EmbeddedPostgresServer server = EmbeddedPostgresServer.startIfAbsent(dataDir, 0);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "the restart took " + took);
            assertFalse(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive).orElse(false), "the orphan is stopped");
            long newPid = OrphanedPostmaster.find(dataDir).orElseThrow().pid();
            assertNotEquals(orphanPid, newPid);
            try (Connection c = DriverManager.getConnection(server.jdbcUrl(), "postgres", "");
                 ResultSet rs = c.createStatement().executeQuery("SELECT 1")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
            }
        } finally {
            child.destroyForcibly();
            EmbeddedPostgresServer.stopIfRunning(dataDir);
            ProcessHandle.of(orphanPid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static Process startChild(Path dataDir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                EmbeddedPostgresChild.class.getName(), dataDir.toString()))
                .redirectErrorStream(true).start();
    }

    /** The child's {@code READY <port> <pid>} line; its other output is echoed for the test report. */
    private static String[] awaitReady(Process child) throws Exception {
        CompletableFuture<String[]> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith("READY ")) {
                        ready.complete(line.split(" "));
                    } else {
                        System.out.println("[child] " + line);
                    }
                }
                ready.completeExceptionally(new AssertionError("the child exited before it was ready"));
            } catch (Exception e) {
                ready.completeExceptionally(e);
            }
        }, "embedded-postgres-child-output");
        reader.setDaemon(true);
        reader.start();
        return ready.get(90, TimeUnit.SECONDS);
    }
}
