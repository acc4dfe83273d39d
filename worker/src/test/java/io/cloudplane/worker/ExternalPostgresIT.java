package io.cloudplane.worker;

import io.cloudplane.infra.environment.EnvironmentRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Past one machine, as the README tells an operator: Cloudplane's database is Debian's own
 * PostgreSQL server (started here, see {@link DebianPostgres}) reached as a role that has CREATEDB
 * and CREATEROLE but is not a superuser, and the API and the worker are two processes of the
 * packaged jar, configured by environment variables alone: the worker is
 * {@code CLOUDPLANE_API_ENABLED=false} and runs the embedded Temporal (no {@code TEMPORAL_TARGET}),
 * the API is {@code CLOUDPLANE_WORKER_ENABLED=false} with {@code TEMPORAL_TARGET} at it. They share the data directory, as the local runtime's servers,
 * code trees and embedded object store live there. Every call goes to the API process.
 */
class ExternalPostgresIT {
    private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static DebianPostgres postgres;
    private static Path dataDir;
    private static AllInOne worker;
    private static AllInOne api;

    @BeforeAll
    static void startPostgresThenTheWorkerThenTheApi() throws Exception {
        postgres = DebianPostgres.start();
        dataDir = Files.createTempDirectory("cloudplane-extpg-");
        int temporalPort = AllInOne.freePort();
        Map<String, String> shared = postgres.cloudplaneSettings();
        var workerEnvironment = new java.util.HashMap<>(shared);
        workerEnvironment.put("CLOUDPLANE_EMBEDDED_TEMPORAL_PORT", Integer.toString(temporalPort));
        workerEnvironment.put("CLOUDPLANE_API_ENABLED", "false");
        worker = new AllInOne(dataDir, workerEnvironment);
        var apiEnvironment = new java.util.HashMap<>(shared);
        apiEnvironment.put("TEMPORAL_TARGET", "127.0.0.1:" + temporalPort);
        // The worker's embedded Temporal requires its key; generated here first, as both processes start side by side.
        apiEnvironment.put("TEMPORAL_API_KEY", io.cloudplane.infra.embedded.EmbeddedTemporalServer.apiKeyIn(dataDir));
        apiEnvironment.put("CLOUDPLANE_WORKER_ENABLED", "false");
        api = new AllInOne(dataDir, apiEnvironment);
        // Side by side, as an operator's would: the API does not need the worker's Temporal to start.
        var workerStarted = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return worker.start();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        long apiMillis = api.start();
        long workerMillis = workerStarted.join();
        System.out.printf("ExternalPostgresIT: worker ready in %d ms, API in %d ms (side by side)%n", workerMillis, apiMillis);
    }

    @AfterAll
    static void stopEverything() throws Exception {
        try {
            if (api != null) {
                api.stop();
            }
            if (worker != null) {
                worker.stop();
            }
        } finally {
            if (postgres != null) {
                postgres.close();
            }
            if (dataDir != null) {
                io.cloudplane.infra.files.FileTrees.delete(dataDir);
            }
        }
    }

    @Test
    void provisionsBacksUpRestoresClonesAndDeletesWithANonSuperuserRoleOnDebiansPostgres() throws Exception {
        assertEquals("f", postgres.psql("SELECT rolsuper FROM pg_roles WHERE rolname = '" + DebianPostgres.ROLE + "'"),
                "the Cloudplane role is not a superuser");
        assertFalse(api.output().contains("Temporal worker polling"), "the API process runs no worker:\n" + api.output());
        assertTrue(worker.output().contains("Temporal worker polling"), worker.output());
        var refused = worker.call("POST", "/api/v1/accounts", null,
                Map.of("email", "w@example.com", "password", "correct-horse-battery", "firstName", "W", "lastName", "O"));
        assertEquals(404, refused.status(), "the worker-only process serves no API: " + refused.raw());
        assertTrue(refused.<String>get("detail").contains("CLOUDPLANE_API_ENABLED=false"), refused.raw());
        assertEquals(200, worker.get(worker.baseUrl() + "/health"), "but answers its health check");

        String token = api.signUp("extpg", "Ada", "Lovelace");
        var created = api.call("POST", "/api/v1/apps", token, Map.of("name", "shop"));
        String appId = created.get("id");
        String devId = created.get("operation.envId");
        var dev = running(created, token, OPERATION_TIMEOUT);
        assertEquals(200, GatewayClient.status(dev.<String>get("urls.preview") + "_health", token), "the server reaches its database as its own role");

        var staging = api.call("POST", "/api/v1/apps/" + appId + "/environments", token,
                Map.of("name", "staging", "type", "staging", "description", "QA"));
        String stagingId = staging.get("id");
        running(staging, token, OPERATION_TIMEOUT);
        String stagingPath = "/api/v1/apps/" + appId + "/environments/" + stagingId;

        var credentials = api.call("GET", stagingPath + "/database-credentials", token, null);
        assertEquals(200, credentials.status(), credentials.raw());
        try (Connection c = connect(credentials);
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id int PRIMARY KEY, name text)");
            s.execute("INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 200) g");
        }
        var refusedConnection = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                () -> DriverManager.getConnection(postgres.jdbcUrl(), credentials.get("user"), credentials.get("password")).close(),
                "an environment's role cannot connect to Cloudplane's database");
        assertTrue(refusedConnection.getMessage().contains("permission denied"), refusedConnection.getMessage());

        var backup = api.call("POST", stagingPath + "/backups", token, null);
        assertEquals(202, backup.status(), backup.raw());
        String backupPath = stagingPath + "/backups/" + backup.get("id");
        var done = await("the backup to end").atMost(OPERATION_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> api.call("GET", backupPath, token, null), b -> Set.of("COMPLETED", "FAILED").contains(b.<String>get("status")));
        assertEquals("COMPLETED", done.get("status"), done.raw() + logs());
        assertEquals("PASSED", done.get("verification"), done.raw());

        try (Connection c = connect(credentials);
             Statement s = c.createStatement()) {
            s.execute("DELETE FROM items WHERE id > 50");
        }
        var restore = api.call("POST", stagingPath + "/restores", token, Map.of("backupId", backup.get("id")));
        assertEquals(202, restore.status(), restore.raw());
        assertSucceeded(api.awaitOperation(restore.get("id"), token, OPERATION_TIMEOUT));
        try (Connection c = connect(credentials);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM items")) {
            rs.next();
            assertEquals(200, rs.getInt(1), "the restore put back every row");
        }

        var upload = HTTP.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + "/api/v1/apps/" + appId + "/environments/" + devId + "/code"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/gzip")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(site("<h1>external shop</h1>"))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, upload.statusCode(), upload.body());
        var clone = api.call("POST", "/api/v1/apps/" + appId + "/clone", token, Map.of("name", "shop-copy"));
        String cloneAppId = clone.get("id");
        String cloneEnvId = clone.get("operation.envId");
        var cloneEnv = running(clone, token, OPERATION_TIMEOUT);
        var page = GatewayClient.get(cloneEnv.get("urls.preview"), token);
        assertTrue(page.body().contains("external shop"), "the clone serves the source's code: " + page.body());

        // An environment created just before the worker (and the embedded Temporal in it) is killed
        // reaches a terminal state soon after the worker is back, with one server.
        var qa = api.call("POST", "/api/v1/apps/" + appId + "/environments", token,
                Map.of("name", "qa", "type", "staging", "description", "created just before a crash"));
        String qaId = qa.get("id");
        killWorker();
        worker.start();
        long restarted = System.nanoTime();
        var qaEnv = running(qa, token, Duration.ofSeconds(60));
        assertEquals(200, GatewayClient.status(qaEnv.<String>get("urls.preview") + "_health", token));
        assertEquals(1, AllInOne.serverProcesses(qaId).size(), "one server for the environment, none left from before the crash");
        System.out.printf("ExternalPostgresIT: the environment created before the crash was RUNNING %d ms after the worker was back%n",
                (System.nanoTime() - restarted) / 1_000_000);

        Set<String> deleted = Set.of(devId, stagingId, cloneEnvId, qaId);
        var deleteStaging = api.call("DELETE", stagingPath, token, null);
        assertEquals(202, deleteStaging.status(), deleteStaging.raw());
        assertSucceeded(api.awaitOperation(deleteStaging.get("id"), token, OPERATION_TIMEOUT));
        assertFalse(databases().contains(database(stagingId)), "the deleted environment's database is gone");
        assertFalse(roles().contains(database(stagingId)), "and so is its role");
        for (String app : new String[] {appId, cloneAppId}) {
            var deleteApp = api.call("DELETE", "/api/v1/apps/" + app, token, null);
            assertEquals(202, deleteApp.status(), deleteApp.raw());
            assertSucceeded(api.awaitOperation(deleteApp.get("id"), token, OPERATION_TIMEOUT));
        }

        // What is left on the server is exactly what Cloudplane's own tables say exists: the sandbox's environment.
        Set<String> expected = new TreeSet<>();
        try (Connection c = postgres.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT db_name FROM environments")) {
            while (rs.next()) {
                expected.add(rs.getString(1));
            }
        }
        assertEquals(1, expected.size(), "only the sandbox's environment is left: " + expected);
        deleted.forEach(id -> assertFalse(expected.contains(database(id))));
        assertEquals(expected, databases(), "no environment, restore, kept-aside or verification database is left");
        assertEquals(expected, roles(), "no environment role is left");
        deleted.forEach(id -> assertEquals(java.util.List.of(), AllInOne.serverProcesses(id), "no server left of " + id));
    }

    /** SIGKILL to the worker's process, found among this JVM's children as the one not started with CLOUDPLANE_WORKER_ENABLED=false. */
    private static void killWorker() throws Exception {
        ProcessHandle found = null;
        for (ProcessHandle child : ProcessHandle.current().children().toList()) {
            String environ = new String(Files.readAllBytes(Path.of("/proc", Long.toString(child.pid()), "environ")),
                    java.nio.charset.StandardCharsets.UTF_8);
            if (environ.contains("CLOUDPLANE_DATA_DIR=" + dataDir + "\0") && !environ.contains("CLOUDPLANE_WORKER_ENABLED=false")) {
                found = child;
            }
        }
        assertTrue(found != null, "the worker's process is a child of this JVM");
        found.destroyForcibly();
        found.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** A create's 202 answer, its operation SUCCEEDED within {@code timeout}: the environment it provisioned, RUNNING. */
    private static AllInOne.Response running(AllInOne.Response created, String token, Duration timeout) throws Exception {
        assertEquals(202, created.status(), created.raw());
        assertSucceeded(api.awaitCreated(created, token, timeout));
        var env = api.call("GET", "/api/v1/apps/" + created.get("operation.appId") + "/environments/" + created.get("operation.envId"),
                token, null);
        assertEquals("RUNNING", env.get("status"), env.raw());
        return env;
    }

    private static void assertSucceeded(AllInOne.Response operation) {
        assertEquals("SUCCEEDED", operation.get("status"), operation.raw() + logs());
    }

    private static String logs() {
        return "\n--- worker ---\n" + worker.output() + "\n--- api ---\n" + api.output() + postgres.serverLog();
    }

    /** A connection with what {@code GET …/database-credentials} gave: the environment's own role. */
    private static Connection connect(AllInOne.Response credentials) throws java.sql.SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + credentials.get("host") + ":" + credentials.<Object>get("port") + "/"
                + credentials.get("database"), credentials.get("user"), credentials.get("password"));
    }

    private static String database(String envId) {
        return EnvironmentRecord.databaseNameFor(UUID.fromString(envId));
    }

    /** Every database on the server that Cloudplane made for an environment, a restore or a verification. */
    private static Set<String> databases() throws Exception {
        return names("SELECT datname FROM pg_database WHERE datname ~ '^(env|rst|old|vfy)_'");
    }

    private static Set<String> roles() throws Exception {
        return names("SELECT rolname FROM pg_roles WHERE rolname ~ '^env_'");
    }

    private static Set<String> names(String sql) throws Exception {
        Set<String> names = new TreeSet<>();
        try (Connection c = postgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static byte[] site(String index) throws Exception {
        return Sites.onePage(index);
    }
}
