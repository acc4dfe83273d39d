package io.cloudplane.worker;

import io.cloudplane.infra.runtime.ServerCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Server updates end to end in the packaged all-in-one, with a catalog of three versions: 1.0.0
 * and 1.1.0 of the built-in server, and 1.2.0 whose server crashes at start (its main class does
 * not exist, as a broken image would). Updating to 1.1.0 moves the environment to a new process on
 * a new port and stops the old one; updating to 1.2.0 fails its health check and the environment
 * goes on serving 1.1.0 from the same process, with its data; a downgrade needs asking.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServerUpdatesIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static AllInOne cloudplane;
    private static String token;
    private static String appId;
    private static String envId;

    @BeforeAll
    static void start() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "updates-").toAbsolutePath();
        Path catalog = dataDir.resolve("catalog.yml");
        Files.writeString(catalog, """
                cloudplane:
                  default-server-version: 1.0.0
                  server-versions:
                    - version: 1.0.0
                      command: "%1$s1.0.0"
                    - version: 1.1.0
                      command: "%1$s1.1.0"
                    - version: 1.2.0
                      command: "{java} -cp {builtin-classpath} io.cloudplane.infra.runtime.builtin.NoSuchServer"
                """.formatted(ServerCatalog.BUILTIN_COMMAND));
        Files.createDirectories(dataDir);
        cloudplane = new AllInOne(dataDir, Map.of("MICRONAUT_CONFIG_FILES", catalog.toString(),
                "CLOUDPLANE_DEPLOY_HEALTH_TIMEOUT", "30s", "CLOUDPLANE_METRICS_ENABLED", "false"));
        cloudplane.start();
        token = cloudplane.signUp("upd", "Ada", "Lovelace");
        var app = cloudplane.call("POST", "/api/v1/apps", token, Map.of("name", "shop"));
        assertEquals(202, app.status(), app.raw());
        assertEquals("SUCCEEDED", cloudplane.awaitCreated(app, token, TIMEOUT).get("status"));
        appId = app.get("id");
        envId = app.get("operation.envId");
        try (var c = DriverManager.getConnection(database(), "postgres", cloudplane.postgresPassword()); var s = c.createStatement()) {
            s.execute("create table orders (id int primary key, item text)");
            s.execute("insert into orders values (1, 'teapot'), (2, 'kettle')");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (cloudplane != null) {
            cloudplane.close();
        }
    }

    @Test
    @Order(1)
    void theCatalogIsListedAndTheEnvironmentShowsItsVersionAndTheNewestAboveIt() throws Exception {
        var versions = cloudplane.call("GET", "/api/v1/server-versions", token, null);
        assertEquals(200, versions.status(), versions.raw());
        List<?> items = versions.get("items");
        assertEquals(List.of("1.0.0", "1.1.0", "1.2.0"), items.stream().map(i -> ((Map<?, ?>) i).get("version")).toList());
        var env = environment();
        assertEquals("1.0.0", env.get("serverVersion"));
        assertEquals("1.2.0", env.get("newerServerVersion"));
        assertEquals("1.0.0", servedVersion(env.get("urls.preview")));
    }

    @Test
    @Order(2)
    void badRequestsAreRefusedNamingTheFieldAndChangeNothing() throws Exception {
        var unknown = update(Map.of("version", "9.9.9"));
        assertEquals(422, unknown.status(), unknown.raw());
        assertTrue(unknown.raw().contains("\"version\"") && unknown.raw().contains("not in the catalog"), unknown.raw());
        var same = update(Map.of("version", "1.0.0"));
        assertEquals(422, same.status(), same.raw());
        assertTrue(same.raw().contains("already runs 1.0.0"), same.raw());
        var blank = update(Map.of("version", " "));
        assertEquals(400, blank.status(), blank.raw());
        assertTrue(blank.raw().contains("\"version\""), blank.raw());
        var history = cloudplane.call("GET", "/api/v1/apps/" + appId + "/environments/" + envId + "/updates", token, null);
        assertEquals(List.of(), history.get("items"), "nothing was recorded");
        var env = environment();
        assertEquals("RUNNING", env.get("status"));
        assertEquals("1.0.0", env.get("serverVersion"));
    }

    @Test
    @Order(3)
    void anUpdateMovesTheEnvironmentToANewProcessOnANewPortAndStopsTheOldOne() throws Exception {
        var before = environment();
        String preview = before.get("urls.preview");
        String oldServer = serverAddress();
        List<Long> oldPids = AllInOne.serverProcesses(envId).stream().map(ProcessHandle::pid).toList();
        assertEquals(1, oldPids.size(), "one server before the update");

        var accepted = update(Map.of("version", "1.1.0"));
        assertEquals(202, accepted.status(), accepted.raw());
        assertEquals("1.0.0", accepted.get("fromVersion"));
        assertEquals("1.1.0", accepted.get("toVersion"));
        assertEquals("/api/v1/apps/" + appId + "/environments/" + envId + "/updates/" + accepted.get("id"), accepted.location());
        var op = cloudplane.awaitCreated(accepted, token, TIMEOUT);
        assertEquals("SUCCEEDED", op.get("status"), op.raw());
        assertEquals("env-update/" + envId, op.get("workflowId"));
        assertTrue(op.raw().contains("start-new-server") && op.raw().contains("switch-to-new-server"), op.raw());

        var after = environment();
        assertEquals("RUNNING", after.get("status"), after.raw());
        assertEquals("1.1.0", after.get("serverVersion"));
        assertEquals("1.2.0", after.get("newerServerVersion"));
        assertEquals(preview, after.get("urls.preview"), "the gateway's URL stays the same across the update");
        String newServer = serverAddress();
        assertNotEquals(oldServer, newServer, "the gateway switched to the new server's port");
        assertEquals("1.1.0", servedVersion(preview));
        assertEquals(-1, cloudplane.get(oldServer), "the old server was stopped");
        List<ProcessHandle> now = AllInOne.serverProcesses(envId);
        assertEquals(1, now.size(), "one server after the update: " + now);
        assertTrue(oldPids.stream().noneMatch(p -> p == now.get(0).pid()), "a new process");
        assertEquals("teapot,kettle", orders(), "the data is untouched");
        var history = cloudplane.call("GET", "/api/v1/apps/" + appId + "/environments/" + envId + "/updates", token, null);
        Map<?, ?> last = (Map<?, ?>) ((List<?>) history.get("items")).get(0);
        assertEquals("SUCCEEDED", last.get("status"), history.raw());
    }

    @Test
    @Order(4)
    void anUpdateWhoseServerFailsHealthRollsBackAndIsReportedFailedWithTheReason() throws Exception {
        var before = environment();
        String preview = before.get("urls.preview");
        long pid = AllInOne.serverProcesses(envId).get(0).pid();

        var accepted = update(Map.of("version", "1.2.0"));
        assertEquals(202, accepted.status(), accepted.raw());
        var op = cloudplane.awaitCreated(accepted, token, TIMEOUT);
        assertEquals("FAILED", op.get("status"), op.raw());
        String error = op.get("error");
        assertTrue(error.contains("exited with code 1") && error.contains("NoSuchServer"),
                "the reason says what the server did: " + error);
        assertTrue(op.raw().contains("roll-back"), op.raw());

        var after = environment();
        assertEquals("RUNNING", after.get("status"), after.raw());
        assertNull(after.get("statusReason"));
        assertEquals("1.1.0", after.get("serverVersion"), "still on the previous version");
        assertEquals(preview, after.get("urls.preview"));
        assertEquals("1.1.0", servedVersion(preview));
        List<ProcessHandle> now = AllInOne.serverProcesses(envId);
        assertEquals(List.of(pid), now.stream().map(ProcessHandle::pid).toList(), "the previous server served throughout");
        assertEquals("teapot,kettle", orders());
        var history = cloudplane.call("GET", "/api/v1/apps/" + appId + "/environments/" + envId + "/updates", token, null);
        Map<?, ?> last = (Map<?, ?>) ((List<?>) history.get("items")).get(0);
        assertEquals("FAILED", last.get("status"), history.raw());
        assertEquals(true, last.get("rolledBack"));
        assertEquals(error, last.get("error"));
    }

    @Test
    @Order(5)
    void aDowngradeIsRefusedUnlessAskedForExplicitly() throws Exception {
        var refused = update(Map.of("version", "1.0.0"));
        assertEquals(422, refused.status(), refused.raw());
        assertTrue(refused.raw().contains("\"allowDowngrade\""), refused.raw());
        var accepted = update(Map.of("version", "1.0.0", "allowDowngrade", true));
        assertEquals(202, accepted.status(), accepted.raw());
        assertEquals(true, accepted.get("downgrade"));
        assertEquals("SUCCEEDED", cloudplane.awaitCreated(accepted, token, TIMEOUT).get("status"));
        var env = environment();
        assertEquals("1.0.0", env.get("serverVersion"));
        assertEquals("1.0.0", servedVersion(env.get("urls.preview")));
    }

    private static AllInOne.Response update(Map<String, Object> body) throws Exception {
        return cloudplane.call("POST", "/api/v1/apps/" + appId + "/environments/" + envId + "/update", token, body);
    }

    private static AllInOne.Response environment() throws Exception {
        var env = cloudplane.call("GET", "/api/v1/apps/" + appId + "/environments/" + envId, token, null);
        assertEquals(200, env.status(), env.raw());
        return env;
    }

    /** The version the built-in server behind {@code url} says it is. */
    /** The version that answers at the environment's URL, through the gateway, for its owner. */
    private static String servedVersion(String url) throws Exception {
        var response = GatewayClient.get(url, token);
        assertEquals(200, response.status(), response.body());
        return response.header("X-Server-Version").orElseThrow();
    }

    /** The server's own loopback address, which only the gateway uses (the environments row's). */
    private static String serverAddress() throws Exception {
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + cloudplane.postgresPort() + "/postgres", "postgres",
                cloudplane.postgresPassword()); var s = c.prepareStatement("select preview_url from environments where id = ?::uuid")) {
            s.setString(1, envId);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static String database() {
        return cloudplane.environmentDatabaseUrl(envId);
    }

    private static String orders() throws Exception {
        try (var c = DriverManager.getConnection(database(), "postgres", cloudplane.postgresPassword()); var s = c.createStatement();
             var rs = s.executeQuery("select string_agg(item, ',' order by id) from orders")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
