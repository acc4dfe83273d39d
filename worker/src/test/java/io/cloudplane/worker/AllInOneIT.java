package io.cloudplane.worker;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end: the packaged all-in-one, started as the README starts it, driven over HTTP as a
 * user would, through a restart, a server crash, and deletion.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AllInOneIT {
    private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(90);
    private static AllInOne cloudplane;
    private static Path dataDir;
    private static String token;
    private static String email;
    private static String appId;
    private static String envId;
    private static String previewUrl;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory(Path.of("target"), "e2e-").toAbsolutePath();
        cloudplane = new AllInOne(dataDir, Map.of());
        cloudplane.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (cloudplane != null) {
            cloudplane.close();
        }
    }

    private static String database(String env) {
        return "env_" + env.replace("-", "");
    }

    private static boolean databaseExists(String name) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + cloudplane.postgresPort() + "/postgres", "postgres", cloudplane.postgresPassword());
             var s = c.prepareStatement("select count(*) from pg_database where datname = ?")) {
            s.setString(1, name);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        }
    }

    @Test
    @Order(1)
    void signsUpCreatesAnApplicationAndItsEnvironmentServesItsPreviewUrl() throws Exception {
        email = "e2e-" + UUID.randomUUID() + "@example.com";
        var account = cloudplane.call("POST", "/api/v1/accounts", null,
                Map.of("email", email, "password", "correct-horse-battery", "firstName", "Ada", "lastName", "Lovelace"));
        assertEquals(201, account.status(), account.raw());
        var session = cloudplane.call("POST", "/api/v1/sessions", null, Map.of("email", email, "password", "correct-horse-battery"));
        assertEquals(200, session.status(), session.raw());
        token = session.get("accessToken");

        var created = cloudplane.call("POST", "/api/v1/apps", token, Map.of("name", "shop"));
        assertEquals(202, created.status(), created.raw());
        appId = created.get("id");
        assertEquals("/api/v1/apps/" + appId, created.location());
        assertEquals("shop", created.get("name"));
        assertEquals("PROVISION_ENVIRONMENT", created.get("operation.type"));
        var op = cloudplane.awaitCreated(created, token, OPERATION_TIMEOUT);
        assertEquals("SUCCEEDED", op.get("status"), op.raw() + "\n" + cloudplane.output());
        envId = created.get("operation.envId");
        assertEquals("shop", cloudplane.call("GET", created.location(), token, null).get("name"));

        var env = cloudplane.call("GET", "/api/v1/apps/" + appId + "/environments/" + envId, token, null);
        assertEquals("RUNNING", env.get("status"), env.raw());
        previewUrl = env.get("urls.preview");
        assertTrue(previewUrl.matches("http://development-shop-[0-9a-f]{12}\\.localhost:\\d+/"), "the gateway's host: " + previewUrl);
        assertEquals(previewUrl.replace("http://", "http://studio-"), env.get("urls.studio"));
        assertEquals(200, GatewayClient.status(previewUrl, token));
        assertEquals(200, GatewayClient.status(previewUrl + "_health", token), "the server reaches its database");
        assertTrue(databaseExists(database(envId)));
        assertEquals(1, AllInOne.serverProcesses(envId).size());

        // The sandbox came with the account and was provisioned too.
        var apps = cloudplane.call("GET", "/api/v1/apps", token, null);
        String sandboxId = apps.get("sandbox.id");
        var sandboxEnvs = cloudplane.call("GET", "/api/v1/apps/" + sandboxId + "/environments", token, null);
        assertEquals(200, sandboxEnvs.status());
    }

    @Test
    @Order(2)
    void everythingSurvivesARestartAndRunningServersComeBack() throws Exception {
        assertEquals(143 & 0xff, cloudplane.stop() & 0xff, "stopped by SIGTERM");
        assertTrue(AllInOne.serverProcesses(envId).isEmpty(), "the all-in-one stops the servers it started");
        assertEquals(-1, GatewayClient.status(previewUrl, token), "the gateway went with the all-in-one");

        cloudplane.start();
        var app = cloudplane.call("GET", "/api/v1/apps/" + appId, token, null);
        assertEquals(200, app.status(), "the session key, the account and the app survived: " + app.raw());
        await("the RUNNING environment's server to answer again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> GatewayClient.status(previewUrl, token) == 200);
        assertEquals(200, GatewayClient.status(previewUrl, token), "the RUNNING environment's server started again");
        assertEquals("RUNNING", cloudplane.call("GET", "/api/v1/apps/" + appId + "/environments/" + envId, token, null).get("status"));

        // The embedded Temporal forgot the sandbox's lifecycle with its memory: recovery starts it again.
        String sandboxId = cloudplane.call("GET", "/api/v1/apps", token, null).get("sandbox.id");
        AllInOne.Response sandbox = await("the sandbox's lifecycle to be recovered").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> cloudplane.call("GET", "/api/v1/apps/" + sandboxId, token, null), s -> s.get("lifecycle") != null);
        assertEquals("AWAKE", sandbox.get("lifecycle.phase"), sandbox.raw());
    }

    @Test
    @Order(3)
    void serversStopStartAndRestartAndTheActivityLogSaysWhoDidWhat() throws Exception {
        String env = "/api/v1/apps/" + appId + "/environments/" + envId;
        var stop = cloudplane.call("POST", env + "/stop", token, null);
        assertEquals(202, stop.status(), stop.raw());
        assertEquals("SUCCEEDED", cloudplane.awaitOperation(stop.get("id"), token, OPERATION_TIMEOUT).get("status"));
        assertEquals("STOPPED", cloudplane.call("GET", env, token, null).get("status"));
        assertTrue(AllInOne.serverProcesses(envId).isEmpty(), "the server process is gone");
        assertEquals(503, GatewayClient.status(previewUrl, token), "the gateway says it is stopped");

        var again = cloudplane.call("POST", env + "/stop", token, null);
        assertEquals("SUCCEEDED", cloudplane.awaitOperation(again.get("id"), token, OPERATION_TIMEOUT).get("status"));

        var start = cloudplane.call("POST", env + "/start", token, null);
        assertEquals("SUCCEEDED", cloudplane.awaitOperation(start.get("id"), token, OPERATION_TIMEOUT).get("status"));
        assertEquals("RUNNING", cloudplane.call("GET", env, token, null).get("status"));
        assertEquals(200, GatewayClient.status(previewUrl, token), "the preview URL answers again");

        var restart = cloudplane.call("POST", env + "/restart", token, null);
        assertEquals(202, restart.status());
        var concurrent = cloudplane.call("POST", env + "/stop", token, null);
        assertEquals(409, concurrent.status(), concurrent.raw());
        assertEquals((String) restart.get("id"), (String) concurrent.get("operationId"), "the refusal names the running operation");
        assertEquals("SUCCEEDED", cloudplane.awaitOperation(restart.get("id"), token, OPERATION_TIMEOUT).get("status"));
        assertEquals(200, GatewayClient.status(previewUrl, token));

        var page = cloudplane.call("GET", env + "/activity?limit=3", token, null);
        assertEquals(200, page.status(), page.raw());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> items = (List<Map<String, Object>>) page.body().get("items");
        assertEquals(List.of("restarted:SUCCEEDED", "started:SUCCEEDED", "stopped:NO_OP"),
                items.stream().map(e -> e.get("action") + ":" + e.get("outcome")).toList());
        assertTrue(items.stream().allMatch(e -> email.equals(e.get("who"))), page.raw());
        var rest = cloudplane.call("GET", env + "/activity?limit=3&cursor=" + page.get("nextCursor"), token, null);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> older = (List<Map<String, Object>>) rest.body().get("items");
        assertEquals(List.of("stopped:SUCCEEDED", "created:SUCCEEDED"),
                older.stream().map(e -> e.get("action") + ":" + e.get("outcome")).toList());
        assertEquals(null, (String) rest.get("nextCursor"));
    }

    @Test
    @Order(4)
    void anEnvironmentCanBeAddedAndDeletedOnItsOwn() throws Exception {
        var created = cloudplane.call("POST", "/api/v1/apps/" + appId + "/environments", token,
                Map.of("name", "staging", "type", "staging", "description", "QA"));
        assertEquals(202, created.status(), created.raw());
        String stagingId = created.get("id");
        assertEquals("/api/v1/apps/" + appId + "/environments/" + stagingId, created.location());
        assertEquals("PROVISIONING", created.get("status"));
        assertEquals(stagingId, created.get("operation.envId"));
        assertEquals("SUCCEEDED", cloudplane.awaitCreated(created, token, OPERATION_TIMEOUT).get("status"));
        var env = cloudplane.call("GET", created.location(), token, null);
        assertEquals("RUNNING", env.get("status"), env.raw());
        assertEquals(true, env.get("services.backups"));
        assertEquals(200, GatewayClient.status(env.get("urls.preview"), token));

        var deleted = cloudplane.call("DELETE", "/api/v1/apps/" + appId + "/environments/" + stagingId, token, null);
        assertEquals(202, deleted.status(), deleted.raw());
        assertEquals("SUCCEEDED", cloudplane.awaitOperation(deleted.get("id"), token, OPERATION_TIMEOUT).get("status"));
        assertEquals(404, cloudplane.call("GET", "/api/v1/apps/" + appId + "/environments/" + stagingId, token, null).status());
        assertFalse(databaseExists(database(stagingId)));
        assertTrue(AllInOne.serverProcesses(stagingId).isEmpty());
        assertEquals(200, GatewayClient.status(previewUrl, token), "the development environment is untouched");
    }

    @Test
    @Order(5)
    void aServerThatDiesShowsInItsEnvironmentsStatus() throws Exception {
        var created = cloudplane.call("POST", "/api/v1/apps", token, Map.of("name", "fragile"));
        assertEquals("SUCCEEDED", cloudplane.awaitCreated(created, token, OPERATION_TIMEOUT).get("status"));
        String fragileEnv = created.get("operation.envId");
        List<ProcessHandle> servers = AllInOne.serverProcesses(fragileEnv);
        assertEquals(1, servers.size());
        ProcessHandle server = servers.get(0);
        server.destroyForcibly();
        server.onExit().get();

        AllInOne.Response env = await("the environment of the killed server to be FAILED").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> cloudplane.call("GET", "/api/v1/apps/" + created.get("id") + "/environments/" + fragileEnv, token, null),
                        e -> "FAILED".equals(e.get("status")));
        assertEquals("FAILED", env.get("status"), env.raw());
        assertTrue(((String) env.get("statusReason")).contains("exited"), env.raw());

        var deleted = cloudplane.call("DELETE", "/api/v1/apps/" + created.get("id"), token, null);
        assertEquals("SUCCEEDED", cloudplane.awaitOperation(deleted.get("id"), token, OPERATION_TIMEOUT).get("status"));
    }

    @Test
    @Order(6)
    void deletingTheAppRemovesItsDatabaseProcessAndFiles() throws Exception {
        var deleted = cloudplane.call("DELETE", "/api/v1/apps/" + appId, token, null);
        assertEquals(202, deleted.status(), deleted.raw());
        var op = cloudplane.awaitOperation(deleted.get("id"), token, OPERATION_TIMEOUT);
        assertEquals("SUCCEEDED", op.get("status"), op.raw());

        assertEquals(404, cloudplane.call("GET", "/api/v1/apps/" + appId, token, null).status());
        assertFalse(databaseExists(database(envId)), "the environment's database was dropped");
        assertTrue(AllInOne.serverProcesses(envId).isEmpty(), "the environment's server process is gone");
        assertEquals(404, GatewayClient.status(previewUrl, token), "the deleted environment's host names nothing");
        assertFalse(Files.exists(dataDir.resolve("environments").resolve(envId)), "its folders were removed");
    }
}
