package io.cloudplane.worker;

import io.cloudplane.infra.code.CodeArchives;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end in the packaged all-in-one: code uploaded to development, a release cut, promoted to
 * staging, approved, served by production; then a broken release (its app.json is not JSON, so its
 * server never becomes healthy) deployed to production, which comes back on the previous release
 * with its data; locked releases; and a clone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReleasesIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static AllInOne cloudplane;
    private static Path dataDir;
    private static String token;
    private static String appId;
    private static String devId;
    private static String stagingId;
    private static String productionId;
    private static String release1;
    private static String codeV1Sha;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory(Path.of("target"), "releases-").toAbsolutePath();
        // A broken server exits at once; the deployment's health check needs no long wait to say so.
        cloudplane = new AllInOne(dataDir, Map.of("CLOUDPLANE_DEPLOY_HEALTH_TIMEOUT", "60s", "CLOUDPLANE_METRICS_INTERVAL", "1s"));
        cloudplane.start();
        token = cloudplane.signUp("rel", "Grace", "Hopper");
        var app = cloudplane.call("POST", "/api/v1/apps", token, Map.of("name", "store"));
        assertEquals(202, app.status(), app.raw());
        succeeded(app);
        appId = app.get("id");
        devId = app.get("operation.envId");
        stagingId = environment("staging", "staging");
        productionId = environment("production", "production");
    }

    @AfterAll
    static void stop() throws Exception {
        if (cloudplane != null) {
            cloudplane.close();
        }
    }

    @Test
    @Order(1)
    void uploadedCodeIsServedByTheRunningDevelopmentServerAndOnlyDevelopmentTakesUploads() throws Exception {
        byte[] v1 = site("<h1>version one</h1>", "{\"name\": \"store\"}");
        var put = upload(devId, v1);
        assertEquals(200, put.statusCode(), put.body());
        codeV1Sha = field(put.body(), "sha256");
        assertEquals(sha256(v1), codeV1Sha, "the canonical archive of the same tree is byte-identical");
        assertTrue(fetch(preview(devId)).contains("version one"), "served without a restart");

        var download = HTTP.send(request(api("/environments/" + devId + "/code")).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, download.statusCode());
        assertEquals(codeV1Sha, sha256(download.body()));

        var staging = upload(stagingId, v1);
        assertEquals(422, staging.statusCode(), staging.body());
    }

    @Test
    @Order(2)
    void aHostileArchiveIsRefusedAndChangesNothing() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (var tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            byte[] evil = "evil".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry entry = new TarArchiveEntry("../../evil.html");
            entry.setSize(evil.length);
            tar.putArchiveEntry(entry);
            tar.write(evil);
            tar.closeArchiveEntry();
        }
        var put = upload(devId, bytes.toByteArray());
        assertEquals(400, put.statusCode(), put.body());
        assertTrue(put.body().contains("\"archive\"") && put.body().contains("leaves the code tree"), put.body());
        var download = HTTP.send(request(api("/environments/" + devId + "/code")).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(codeV1Sha, sha256(download.body()), "the code did not change");
        assertTrue(fetch(preview(devId)).contains("version one"));
    }

    @Test
    @Order(3)
    void aReleaseIsPromotedThroughStagingAndApprovedIntoProduction() throws Exception {
        release1 = release("v1");
        var shown = cloudplane.call("GET", "/api/v1/apps/" + appId + "/releases/" + release1, token, null);
        assertEquals("READY", shown.get("status"), shown.raw());
        assertEquals(codeV1Sha, shown.get("sha256"));
        assertEquals("releases/" + appId + "/" + release1 + ".tar.gz", shown.get("artifactKey"));
        assertEquals(422, cloudplane.call("POST", "/api/v1/apps/" + appId + "/releases", token,
                Map.of("name", "from-prod", "sourceEnvironmentId", productionId)).status());
        assertEquals(409, cloudplane.call("POST", "/api/v1/apps/" + appId + "/releases", token,
                Map.of("name", "V1", "sourceEnvironmentId", devId)).status(), "names are unique per app");

        var promotion = cloudplane.call("POST", "/api/v1/apps/" + appId + "/promotions", token, Map.of("releaseId", release1));
        assertEquals(202, promotion.status(), promotion.raw());
        String promotionId = promotion.get("id");
        var waiting = awaitPromotion(promotionId, "AWAITING_APPROVAL");
        assertEquals("SUCCEEDED", ((Map<?, ?>) ((List<?>) waiting.body().get("stages")).get(0)).get("outcome"));
        assertTrue(fetch(preview(stagingId)).contains("version one"), "staging serves the release");
        assertFalse(fetch(preview(productionId)).contains("version one"), "production waits for the approval");

        var approved = cloudplane.call("POST", "/api/v1/apps/" + appId + "/promotions/" + promotionId + "/approve", token,
                Map.of("comment", "ship it"));
        assertEquals(200, approved.status(), approved.raw());
        var again = cloudplane.call("POST", "/api/v1/apps/" + appId + "/promotions/" + promotionId + "/approve", token, Map.of());
        assertEquals(409, again.status(), "a second approval is refused: " + again.raw());
        var done = awaitPromotion(promotionId, "SUCCEEDED");
        assertEquals("APPROVED", done.get("decision"));
        assertEquals("ship it", done.get("comment"));
        assertNotNull(done.get("decidedAt"));
        assertTrue(fetch(preview(productionId)).contains("version one"), "the production preview URL serves the new code");

        var shownAfter = cloudplane.call("GET", "/api/v1/apps/" + appId + "/releases/" + release1, token, null);
        assertEquals(true, shownAfter.get("locked"));
        assertEquals(2, ((List<?>) shownAfter.body().get("runningIn")).size(), shownAfter.raw());
    }

    @Test
    @Order(4)
    void aBrokenReleaseFailsItsHealthCheckAndProductionComesBackOnThePreviousReleaseWithItsData() throws Exception {
        var creds = cloudplane.call("GET", "/api/v1/apps/" + appId + "/environments/" + productionId + "/database-credentials", token, null);
        assertEquals(200, creds.status(), creds.raw());
        String url = "jdbc:postgresql://" + creds.get("host") + ":" + creds.<Integer>get("port") + "/" + creds.get("database");
        String user = creds.get("user");
        String password = creds.get("password");
        try (var c = DriverManager.getConnection(url, user, password); var s = c.createStatement()) {
            s.execute("create table orders (id int primary key, item text)");
            s.execute("insert into orders values (1, 'teapot'), (2, 'kettle')");
        }

        assertEquals(200, upload(devId, site("<h1>version two</h1>", "{ this is not json")).statusCode());
        String broken = release("v2-broken");
        var deploy = cloudplane.call("POST", "/api/v1/apps/" + appId + "/environments/" + productionId + "/deployments", token,
                Map.of("releaseId", broken));
        assertEquals(202, deploy.status(), deploy.raw());
        assertEquals(api("/environments/" + productionId + "/deployments/" + deploy.get("id")), deploy.location());
        var op = cloudplane.awaitCreated(deploy, token, TIMEOUT);
        assertEquals("FAILED", op.get("status"), op.raw());
        assertTrue(op.raw().contains("app.json"), "the reason says why the server did not start: " + op.raw());

        var env = cloudplane.call("GET", "/api/v1/apps/" + appId + "/environments/" + productionId, token, null);
        assertEquals("RUNNING", env.get("status"), env.raw());
        String page = fetch(preview(productionId));
        assertTrue(page.contains("version one"), "production is back on the previous release: " + page);
        var history = cloudplane.call("GET", "/api/v1/apps/" + appId + "/environments/" + productionId + "/deployments", token, null);
        Map<?, ?> last = (Map<?, ?>) ((List<?>) history.body().get("items")).get(0);
        assertEquals("FAILED", last.get("status"), history.raw());
        assertEquals(broken, last.get("releaseId"));
        assertNotNull(last.get("safetyBackupId"), "a safety backup was taken first");
        assertEquals(true, last.get("dataRestored"), "the new server ran, so the data came back from the safety backup");
        assertEquals(release1, last.get("previousReleaseId"));
        try (var c = DriverManager.getConnection(url, user, password); var s = c.createStatement();
             var rs = s.executeQuery("select string_agg(item, ',' order by id) from orders")) {
            rs.next();
            assertEquals("teapot,kettle", rs.getString(1), "the data is intact");
        }
        var code = HTTP.send(request(api("/environments/" + productionId + "/code")).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(codeV1Sha, sha256(code.body()), "production's code record is the previous release's again");

        // The server's log tells what happened, and never shows the database password, even when an app prints it.
        Path log = dataDir.resolve("environments").resolve(productionId).resolve("run").resolve("server.log");
        Files.writeString(log, "connecting with password " + password + "\n", java.nio.file.StandardOpenOption.APPEND);
        var tail = HTTP.send(request(api("/environments/" + productionId + "/logs?tail=200")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, tail.statusCode(), tail.body());
        assertTrue(tail.body().contains("app.json is not valid JSON"), tail.body());
        assertTrue(tail.body().contains("connecting with password [redacted]"), tail.body());
        var whole = HTTP.send(request(api("/environments/" + productionId + "/logs?download=true")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, whole.statusCode());
        assertFalse(tail.body().contains(password) || whole.body().contains(password), "the password is never shown");
        assertTrue(whole.body().contains("[redacted]"));
    }

    @Test
    @Order(5)
    void aDeployedReleaseIsLockedAndAnUndeployedOneCanBeDeleted() throws Exception {
        var locked = cloudplane.call("DELETE", "/api/v1/apps/" + appId + "/releases/" + release1, token, null);
        assertEquals(409, locked.status(), locked.raw());
        assertTrue(locked.raw().contains("locked"), locked.raw());
        assertEquals(200, upload(devId, site("<h1>version three</h1>", null)).statusCode());
        String spare = release("v3");
        assertEquals(204, cloudplane.call("DELETE", "/api/v1/apps/" + appId + "/releases/" + spare, token, null).status());
        assertEquals(404, cloudplane.call("GET", "/api/v1/apps/" + appId + "/releases/" + spare, token, null).status());
    }

    @Test
    @Order(6)
    void aCloneHasTheCodeAnEmptyDatabaseAndNoResourcesAndTheSourceIsUntouched() throws Exception {
        Path resources = dataDir.resolve("environments").resolve(devId).resolve("resources");
        Files.writeString(resources.resolve("upload.txt"), "a user's file");
        var clone = cloudplane.call("POST", "/api/v1/apps/" + appId + "/clone", token, Map.of("name", "store-copy", "releaseId", release1));
        assertEquals(202, clone.status(), clone.raw());
        succeeded(clone);
        String cloneApp = clone.get("id");
        assertEquals("/api/v1/apps/" + cloneApp, clone.location());
        assertEquals("store-copy", clone.get("name"));
        String cloneEnv = clone.get("operation.envId");
        var envs = cloudplane.call("GET", "/api/v1/apps/" + cloneApp + "/environments", token, null);
        assertEquals(200, envs.status(), envs.raw());
        assertTrue(fetch(preview(cloneApp, cloneEnv)).contains("version one"), "the clone serves the release's code");
        var code = HTTP.send(request("/api/v1/apps/" + cloneApp + "/environments/" + cloneEnv + "/code").GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(codeV1Sha, sha256(code.body()));
        try (var c = DriverManager.getConnection(cloudplane.environmentDatabaseUrl(cloneEnv), "postgres", cloudplane.postgresPassword()); var s = c.createStatement();
             var rs = s.executeQuery("select count(*) from pg_tables where schemaname = 'public'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "the clone's database is empty");
        }
        try (var listing = Files.list(dataDir.resolve("environments").resolve(cloneEnv).resolve("resources"))) {
            assertEquals(0, listing.count(), "no resources were copied");
        }
        assertEquals("a user's file", Files.readString(resources.resolve("upload.txt")), "the source is untouched");
        assertTrue(fetch(preview(devId)).contains("version three"));
    }

    @Test
    @Order(7)
    void deployingIntoTheSourceIsANoOpAndRollbackDeploysThePreviousSuccessfulRelease() throws Exception {
        String v4 = release("v4"); // development runs version three
        var same = cloudplane.call("POST", "/api/v1/apps/" + appId + "/environments/" + devId + "/deployments", token,
                Map.of("releaseId", v4));
        assertEquals(202, same.status(), same.raw());
        var op = cloudplane.awaitCreated(same, token, TIMEOUT);
        assertEquals("SUCCEEDED", op.get("status"), op.raw());
        assertTrue(op.raw().contains("SKIPPED"), "the environment already ran exactly this code: " + op.raw());

        var toStaging = cloudplane.call("POST", "/api/v1/apps/" + appId + "/environments/" + stagingId + "/deployments", token,
                Map.of("releaseId", v4));
        succeeded(toStaging);
        assertTrue(fetch(preview(stagingId)).contains("version three"));
        var rollback = cloudplane.call("POST", "/api/v1/apps/" + appId + "/environments/" + stagingId + "/rollback", token, null);
        assertEquals(202, rollback.status(), rollback.raw());
        assertEquals(release1, rollback.get("releaseId"), "the previous successful release");
        assertEquals(true, rollback.get("rollback"));
        succeeded(rollback);
        assertEquals("SUCCEEDED", cloudplane.call("GET", rollback.location(), token, null).get("status"));
        assertTrue(fetch(preview(stagingId)).contains("version one"), "staging is back on v1");
    }

    @Test
    @Order(8)
    @SuppressWarnings("unchecked")
    void metricsShowTheRunningServersCpuMemoryAndDisk() throws Exception {
        String path = api("/environments/" + productionId + "/metrics?step=30s");
        Map<String, Object> withCpu = await("a CPU figure once two readings of the server were taken").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500)).until(() -> {
                    var series = cloudplane.call("GET", path, token, null);
                    assertEquals(200, series.status(), series.raw());
                    Map<String, Object> found = null;
                    for (Object p : (List<Object>) series.body().get("points")) {
                        Map<String, Object> point = (Map<String, Object>) p;
                        if (point.get("cpuPercent") != null) {
                            found = point;
                        }
                    }
                    return found;
                }, Objects::nonNull);
        assertTrue(((Number) withCpu.get("memoryBytes")).longValue() > 1_000_000, "the server's resident memory: " + withCpu);
        assertTrue(((Number) withCpu.get("diskBytes")).longValue() > 1_000_000, "its database and resources: " + withCpu);
        assertEquals(400, cloudplane.call("GET", api("/environments/" + productionId + "/metrics?step=1s"), token, null).status());
    }

    // --- helpers ---

    private static String environment(String name, String type) throws Exception {
        var env = cloudplane.call("POST", "/api/v1/apps/" + appId + "/environments", token, Map.of("name", name, "type", type));
        assertEquals(202, env.status(), env.raw());
        succeeded(env);
        return env.get("id");
    }

    /** The operation that a create's answer embeds ended well. */
    private static void succeeded(AllInOne.Response created) throws Exception {
        var op = cloudplane.awaitCreated(created, token, TIMEOUT);
        assertEquals("SUCCEEDED", op.get("status"), op.raw() + "\n" + cloudplane.output());
    }

    private static String release(String name) throws Exception {
        var created = cloudplane.call("POST", "/api/v1/apps/" + appId + "/releases", token,
                Map.of("name", name, "description", "release " + name, "sourceEnvironmentId", devId));
        assertEquals(202, created.status(), created.raw());
        succeeded(created);
        assertEquals(api("/releases/" + created.get("id")), created.location());
        return created.get("id");
    }

    private static AllInOne.Response awaitPromotion(String id, String status) throws Exception {
        return await("promotion " + id + " to reach " + status).atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
            var p = cloudplane.call("GET", "/api/v1/apps/" + appId + "/promotions/" + id, token, null);
            if (!status.equals(p.get("status"))) {
                assertFalse(List.of("FAILED", "EXPIRED", "REJECTED").contains(p.<String>get("status")), p.raw() + "\n" + cloudplane.output());
            }
            return p;
        }, p -> status.equals(p.get("status")));
    }

    private static String preview(String envId) throws Exception {
        return preview(appId, envId);
    }

    private static String preview(String app, String envId) throws Exception {
        return cloudplane.call("GET", "/api/v1/apps/" + app + "/environments/" + envId, token, null).get("urls.preview");
    }

    /** The page at the environment's URL, through the gateway, for the owner. */
    private static String fetch(String url) throws Exception {
        var response = GatewayClient.get(url, token);
        return response.status() + " " + response.body();
    }

    private static String api(String path) {
        return "/api/v1/apps/" + appId + path;
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(cloudplane.baseUrl() + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token);
    }

    private static HttpResponse<String> upload(String envId, byte[] archive) throws Exception {
        return HTTP.send(request(api("/environments/" + envId + "/code")).header("Content-Type", "application/gzip")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(archive)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String field(String json, String name) {
        int at = json.indexOf("\"" + name + "\":\"");
        return json.substring(at + name.length() + 4, json.indexOf('"', at + name.length() + 4));
    }

    /** A site as the canonical tar.gz of a folder: index.html, and app.json when given. */
    private static byte[] site(String index, String appJson) throws IOException {
        Path dir = Files.createTempDirectory("site-");
        Files.writeString(dir.resolve("index.html"), index);
        Files.createDirectories(dir.resolve("assets"));
        Files.writeString(dir.resolve("assets/app.css"), "h1 { color: teal }");
        if (appJson != null) {
            Files.writeString(dir.resolve("app.json"), appJson);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodeArchives.writeTarGz(dir, out);
        return out.toByteArray();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
