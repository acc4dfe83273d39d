package io.cloudplane.infra.runtime;

import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.files.LocalEnvironmentFiles;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Server updates with real processes: the built-in server of two versions, a command that exits at
 * once and one that never answers. The built-in server is healthy only with its database, so a
 * PostgreSQL runs for the class.
 */
class LocalProcessRuntimeUpdateTest {
    private static final Duration HEALTH_DEADLINE = Duration.ofSeconds(30);
    private static EmbeddedPostgres postgres;
    private static String databaseUrl;

    @TempDir
    Path dataDir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<ServerExitedEvent> exits = new CopyOnWriteArrayList<>();
    private LocalEnvironmentFiles files;
    private LocalProcessRuntime runtime;
    private String envId;

    @BeforeAll
    static void startDatabase() throws Exception {
        postgres = EmbeddedPostgres.start();
        try (var c = postgres.getPostgresDatabase().getConnection(); var s = c.createStatement()) {
            s.execute("create role app login password 'app-password'");
        }
        databaseUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
    }

    @AfterAll
    static void stopDatabase() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }

    @BeforeEach
    void setUp() {
        files = new LocalEnvironmentFiles(new CloudplaneSettings(dataDir.toString()));
        runtime = new LocalProcessRuntime(files, exits::add);
        envId = UUID.randomUUID().toString();
        files.createFolders(envId);
    }

    @AfterEach
    void stopEverything() {
        runtime.stopAll();
    }

    private ServerSpec spec(String version, String command) {
        return new ServerSpec(envId, new ServerVersion(version, command, null), null, databaseUrl, "app", "app-password");
    }

    private ServerSpec builtin(String version) {
        return spec(version, ServerCatalog.BUILTIN_COMMAND + version);
    }

    @Test
    void anUpdateRunsBesideTheCurrentServerAndTakesOverAtTheFinish() throws Exception {
        ServerEndpoint current = runtime.start(builtin("1.0.0"));
        awaitHealth(() -> runtime.checkHealth(envId), HealthReport::healthy);
        long oldPid = runtime.pid(envId).orElseThrow();

        ServerEndpoint update = runtime.startUpdate(builtin("1.1.0"));
        assertNotEquals(current.port(), update.port());
        assertEquals(update, runtime.startUpdate(builtin("1.1.0")), "a second call returns the same server");
        long newPid = updatePid();
        assertNotEquals(oldPid, newPid);
        HealthReport updated = awaitHealth(() -> runtime.checkUpdateHealth(envId), HealthReport::healthy);
        assertTrue(updated.detail().contains("\"version\":\"1.1.0\""), updated.detail());

        // Both serve at once: the current one goes on until the switch.
        assertEquals("1.0.0", serverVersion(current.port()));
        assertEquals("1.1.0", serverVersion(update.port()));
        assertEquals(oldPid, runtime.pid(envId).orElseThrow(), "the environment's server is still the old one");
        assertTrue(runtime.checkHealth(envId).detail().contains("\"version\":\"1.0.0\""));

        runtime.finishUpdate(envId, "1.1.0");

        assertFalse(alive(oldPid), "the previous server ended");
        assertThrows(IOException.class, () -> serverVersion(current.port()), "nothing answers on the old port");
        assertEquals(newPid, runtime.pid(envId).orElseThrow());
        assertEquals(Long.toString(newPid), Files.readString(files.runDir(envId).resolve("server.pid")).trim(),
                "a restarted control plane finds the new server");
        assertFalse(Files.exists(files.runDir(envId).resolve("server-update.pid")));
        HealthReport health = runtime.checkHealth(envId);
        assertTrue(health.healthy(), health.toString());
        assertTrue(health.detail().contains("\"version\":\"1.1.0\""), health.detail());
        assertEquals("1.1.0", serverVersion(update.port()));

        runtime.finishUpdate(envId, "1.1.0"); // finished already: nothing happens
        assertEquals(newPid, runtime.pid(envId).orElseThrow());
        assertTrue(alive(newPid));
        assertTrue(runtime.checkHealth(envId).healthy());
        assertFalse(runtime.checkUpdateHealth(envId).processAlive(), "no update under way");
        assertEquals(List.of(), exits, "a replaced server is not a crash");
    }

    @Test
    void anUpdateThatExitsAtOnceIsReportedAndAbandonedWhileTheServerServesOn() throws Exception {
        ServerEndpoint current = runtime.start(builtin("1.0.0"));
        awaitHealth(() -> runtime.checkHealth(envId), HealthReport::healthy);
        long pid = runtime.pid(envId).orElseThrow();

        runtime.startUpdate(spec("1.1.0", "/bin/false"));
        HealthReport failed = awaitHealth(() -> runtime.checkUpdateHealth(envId), r -> !r.processAlive());
        assertFalse(failed.healthy());
        assertTrue(failed.detail().contains("exited with code 1"), failed.detail());

        IllegalStateException gone = assertThrows(IllegalStateException.class, () -> runtime.finishUpdate(envId, "1.1.0"),
                "no switch to a server that does not run");
        assertTrue(gone.getMessage().contains("exited with code 1"), gone.getMessage());
        assertEquals(pid, runtime.pid(envId).orElseThrow(), "a refused switch changes nothing");

        ServerEndpoint after = runtime.abandonUpdate(builtin("1.0.0"));
        runtime.abandonUpdate(builtin("1.0.0")); // idempotent

        assertEquals(current, after, "the same server, on the same port");
        assertEquals(pid, runtime.pid(envId).orElseThrow());
        assertTrue(runtime.checkHealth(envId).healthy());
        assertEquals("1.0.0", serverVersion(current.port()));
        assertEquals(List.of(), exits, "the update's exit is the update's failure, not the environment's server crashing");
    }

    @Test
    void anUpdateThatNeverAnswersIsAliveButNotHealthyAndAbandoningItEndsIt() throws Exception {
        ServerEndpoint current = runtime.start(builtin("1.0.0"));
        awaitHealth(() -> runtime.checkHealth(envId), HealthReport::healthy);
        long pid = runtime.pid(envId).orElseThrow();

        runtime.startUpdate(spec("1.1.0", "sleep 600"));
        long sleepPid = updatePid();
        assertTrue(alive(sleepPid));
        HealthReport silent = runtime.checkUpdateHealth(envId);
        assertFalse(silent.healthy(), silent.toString());
        assertTrue(silent.processAlive(), "no answer yet is not a failure");

        runtime.abandonUpdate(builtin("1.0.0"));

        assertFalse(alive(sleepPid), "the updated server was ended");
        assertEquals(pid, runtime.pid(envId).orElseThrow());
        assertTrue(runtime.checkHealth(envId).healthy());
        assertEquals("1.0.0", serverVersion(current.port()));
        assertFalse(runtime.checkUpdateHealth(envId).processAlive());
        assertEquals(List.of(), exits);
    }

    @Test
    void abandoningAFinishedUpdateBringsThePreviousVersionBack() throws Exception {
        runtime.start(builtin("1.0.0"));
        awaitHealth(() -> runtime.checkHealth(envId), HealthReport::healthy);
        runtime.startUpdate(builtin("1.1.0"));
        awaitHealth(() -> runtime.checkUpdateHealth(envId), HealthReport::healthy);
        runtime.finishUpdate(envId, "1.1.0");
        long updatedPid = runtime.pid(envId).orElseThrow();

        ServerEndpoint back = runtime.abandonUpdate(builtin("1.0.0"));

        assertFalse(alive(updatedPid), "the 1.1.0 server ended");
        long pid = runtime.pid(envId).orElseThrow();
        assertNotEquals(updatedPid, pid);
        HealthReport health = awaitHealth(() -> runtime.checkHealth(envId), HealthReport::healthy);
        assertTrue(health.detail().contains("\"version\":\"1.0.0\""), health.detail());
        assertEquals("1.0.0", serverVersion(back.port()));
        assertEquals(back, runtime.abandonUpdate(builtin("1.0.0")), "idempotent");
        assertEquals(pid, runtime.pid(envId).orElseThrow());
        assertEquals(List.of(), exits);
    }

    @Test
    void stoppingDuringAnUpdateStopsBothServers() throws Exception {
        ServerEndpoint current = runtime.start(builtin("1.0.0"));
        awaitHealth(() -> runtime.checkHealth(envId), HealthReport::healthy);
        long pid = runtime.pid(envId).orElseThrow();
        ServerEndpoint update = runtime.startUpdate(builtin("1.1.0"));
        long updatePid = updatePid();
        awaitHealth(() -> runtime.checkUpdateHealth(envId), HealthReport::healthy);

        runtime.stop(envId);

        assertFalse(alive(pid));
        assertFalse(alive(updatePid));
        assertFalse(runtime.isRunning(envId));
        assertFalse(runtime.checkUpdateHealth(envId).processAlive());
        assertThrows(IOException.class, () -> serverVersion(current.port()));
        assertThrows(IOException.class, () -> serverVersion(update.port()));
        assertEquals(List.of(), exits, "a requested stop is not a crash");
    }

    /** The pid of the update's process, from the pid file the runtime keeps for it. */
    private long updatePid() throws IOException {
        return Long.parseLong(Files.readString(files.runDir(envId).resolve("server-update.pid")).trim());
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The version the server on {@code port} reports in its answers' header. */
    private String serverVersion(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.headers().firstValue("X-Server-Version").orElseThrow();
    }

    /** Probes until {@code wanted} holds, and returns that report; a timeout names the last one and the server's output. */
    private HealthReport awaitHealth(Supplier<HealthReport> probe, Predicate<HealthReport> wanted) {
        AtomicReference<HealthReport> report = new AtomicReference<>();
        await().atMost(HEALTH_DEADLINE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            report.set(probe.get());
            assertTrue(wanted.test(report.get()), () -> "still " + report.get() + " / " + runtime.recentOutput(envId));
        });
        return report.get();
    }
}
