package io.cloudplane.infra;

import io.cloudplane.infra.crypto.RandomTokens;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.database.DatabaseProvisioner;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.runtime.EnvironmentRuntime;
import io.cloudplane.infra.runtime.HealthReport;
import io.cloudplane.infra.runtime.LocalProcessRuntime;
import io.cloudplane.infra.runtime.ServerCatalog;
import io.cloudplane.infra.runtime.ServerEndpoint;
import io.cloudplane.infra.runtime.ServerExitedEvent;
import io.cloudplane.infra.runtime.ServerSpec;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@MicronautTest(transactional = false)
class DatabaseAndRuntimeTest {
    @Inject DatabaseProvisioner databases;
    @Inject EnvironmentRuntime runtime;
    @Inject EnvironmentFiles files;
    @Inject ServerCatalog catalog;
    @Inject SecretBox secrets;
    @Inject ExitRecorder exits;

    private final HttpClient http = HttpClient.newHttpClient();

    @Singleton
    static class ExitRecorder {
        final List<ServerExitedEvent> events = new CopyOnWriteArrayList<>();

        @EventListener
        void onExit(ServerExitedEvent event) {
            events.add(event);
        }
    }

    @Test
    void createsAnIsolatedDatabaseWithItsOwnLoginIdempotentlyAndDropsIt() throws Exception {
        String name = "env_" + UUID.randomUUID().toString().replace("-", "");
        String password = RandomTokens.alphanumeric(32);
        databases.ensureDatabase(name, password);
        databases.ensureDatabase(name, password);
        assertTrue(databases.databaseExists(name));
        try (var c = DriverManager.getConnection(databases.jdbcUrlFor(name), name, password);
             var rs = c.createStatement().executeQuery("select current_database(), current_user")) {
            rs.next();
            assertEquals(name, rs.getString(1));
            assertEquals(name, rs.getString(2));
        }
        assertThrows(Exception.class, () -> DriverManager.getConnection(databases.jdbcUrlFor(name), name, "wrong-password"));

        databases.dropDatabase(name);
        databases.dropDatabase(name);
        assertFalse(databases.databaseExists(name));
        assertFalse(databases.roleExists(name));
    }

    @Test
    void refusesNamesThatAreNotSafeIdentifiers() {
        assertThrows(IllegalArgumentException.class, () -> databases.ensureDatabase("x; drop database postgres", RandomTokens.alphanumeric(32)));
    }

    @Test
    void secretsAreSealedAndOpened() {
        String sealed = secrets.encrypt("s3cret");
        assertFalse(sealed.contains("s3cret"));
        assertNotEquals(sealed, secrets.encrypt("s3cret"));
        assertEquals("s3cret", secrets.decrypt(sealed));
    }

    /** An environment's database and folders, and the spec of its server. */
    private ServerSpec prepareEnvironment(String envId) {
        String db = "env_" + envId.replace("-", "");
        String password = RandomTokens.alphanumeric(32);
        databases.ensureDatabase(db, password);
        files.createFolders(envId);
        return new ServerSpec(envId, catalog.defaultVersion(), null, databases.jdbcUrlFor(db), db, password);
    }

    @Test
    void theBuiltinServerServesCodeAnswersHealthWithItsDatabaseAndStops() throws Exception {
        String envId = UUID.randomUUID().toString();
        ServerSpec spec = prepareEnvironment(envId);
        String db = spec.databaseUser();
        Files.writeString(files.codeDir(envId).resolve("hello.txt"), "hello from code");
        assertEquals(2, catalog.all().size());

        ServerEndpoint endpoint = runtime.start(spec);
        assertEquals(endpoint, runtime.start(spec), "a second start of a running server changes nothing");
        HealthReport health = awaitHealthy(envId);
        assertTrue(health.detail().contains("\"database\":\"UP\""), health.detail());
        assertTrue(health.detail().contains(catalog.defaultVersion().version()), health.detail());

        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(endpoint.previewUrl() + "hello.txt")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertEquals("hello from code", page.body());
        HttpResponse<String> escape = http.send(HttpRequest.newBuilder(URI.create(endpoint.previewUrl() + "..%2F..%2Frun%2Fserver.pid")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, escape.statusCode());

        long pid = ((LocalProcessRuntime) runtime).pid(envId).orElseThrow();
        runtime.stop(envId);
        runtime.stop(envId);
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(runtime.isRunning(envId));
        assertTrue(exits.events.stream().noneMatch(e -> e.envId().equals(envId)), "a requested stop is not a crash");
        databases.dropDatabase(db);
        files.deleteFolders(envId);
    }

    @Test
    void aServerThatDiesIsReported() throws Exception {
        String envId = UUID.randomUUID().toString();
        ServerSpec spec = prepareEnvironment(envId);
        String db = spec.databaseUser();
        runtime.start(spec);
        awaitHealthy(envId);
        long pid = ((LocalProcessRuntime) runtime).pid(envId).orElseThrow();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                assertTrue(exits.events.stream().anyMatch(e -> e.envId().equals(envId)), "the death was published"));
        assertFalse(runtime.checkHealth(envId).processAlive());
        assertTrue(runtime.checkHealth(envId).detail().contains("exited with code"), runtime.checkHealth(envId).detail());
        runtime.stop(envId);
        databases.dropDatabase(db);
        files.deleteFolders(envId);
    }

    private HealthReport awaitHealthy(String envId) {
        AtomicReference<HealthReport> report = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            report.set(runtime.checkHealth(envId));
            assertTrue(report.get().healthy(), () -> "not healthy: " + report.get() + " / " + runtime.recentOutput(envId));
        });
        return report.get();
    }
}
