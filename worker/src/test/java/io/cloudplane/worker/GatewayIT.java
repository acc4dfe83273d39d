package io.cloudplane.worker;

import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14 end to end, through the packaged all-in-one's gateway: who gets into an app's
 * environments (a browser signing in with the form, a script with its bearer token), what the
 * server is told of them, forged headers, a removed member, a public production, a stopped
 * environment, the Studio link; then the sandbox that Studio use keeps awake, the one that falls
 * asleep, and a Studio request that wakes it.
 */
class GatewayIT {
    private static final String PASSWORD = "correct-horse-battery";
    private static final JsonMapper JSON = JsonMapper.createDefault();

    private static String newEmail(String who) {
        return who + "-" + UUID.randomUUID() + "@example.com";
    }

    private static final Map<String, String> AS_JSON = Map.of("Accept", "application/json");

    private static Map<String, Object> identity(GatewayClient.Answer answer) throws Exception {
        assertEquals(200, answer.status(), answer.body());
        return JSON.readValue(answer.body(), Argument.mapOf(String.class, Object.class));
    }

    /** The built-in server's {@code /_identity} as JSON, for a browser that signed in there. */
    private static Map<String, Object> identity(GatewayClient.Browser browser, String url, GatewayClient.Answer signedIn,
                                                Map<String, String> headers) throws Exception {
        assertEquals(200, signedIn.status(), signedIn.body());
        Map<String, String> all = new java.util.HashMap<>(headers);
        all.putAll(AS_JSON);
        return identity(browser.get(url, all));
    }

    @Test
    void everyWayIntoAnEnvironmentGoesThroughTheGatewayAndStudioUseKeepsASandboxAwake() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "gateway-").toAbsolutePath();
        Path outbox = dataDir.resolve("outbox");
        try (AllInOne cloudplane = new AllInOne(dataDir, Map.of(
                "CLOUDPLANE_SANDBOX_IDLE_PERIOD", "8s",
                "CLOUDPLANE_SANDBOX_DELETE_AFTER", "1h",
                "CLOUDPLANE_SANDBOX_DELETION_NOTICES", "30m"))) {
            cloudplane.start();
            String ownerEmail = newEmail("olive");
            cloudplane.call("POST", "/api/v1/accounts", null, Map.of("email", ownerEmail, "password", PASSWORD,
                    "firstName", "Olive", "lastName", "Owner"));
            String owner = cloudplane.call("POST", "/api/v1/sessions", null, Map.of("email", ownerEmail, "password", PASSWORD))
                    .get("accessToken");
            var app = cloudplane.call("POST", "/api/v1/apps", owner, Map.of("name", "shop"));
            assertEquals(202, app.status(), app.raw());
            String appId = app.get("id");
            String devId = app.get("operation.envId");
            assertEquals("SUCCEEDED", cloudplane.awaitCreated(app, owner, Duration.ofSeconds(90)).get("status"));
            String devPath = "/api/v1/apps/" + appId + "/environments/" + devId;
            var stagingCreated = cloudplane.call("POST", "/api/v1/apps/" + appId + "/environments", owner,
                    Map.of("name", "staging", "type", "staging"));
            var productionCreated = cloudplane.call("POST", "/api/v1/apps/" + appId + "/environments", owner,
                    Map.of("name", "production", "type", "production"));
            assertEquals("SUCCEEDED", cloudplane.awaitCreated(stagingCreated, owner, Duration.ofSeconds(90)).get("status"));
            assertEquals("SUCCEEDED", cloudplane.awaitCreated(productionCreated, owner, Duration.ofSeconds(90)).get("status"));
            String stagingPath = "/api/v1/apps/" + appId + "/environments/" + stagingCreated.get("id");
            var dev = cloudplane.call("GET", devPath, owner, null);
            var staging = cloudplane.call("GET", stagingPath, owner, null);
            var prod = cloudplane.call("GET", "/api/v1/apps/" + appId + "/environments/" + productionCreated.get("id"), owner, null);
            String devApp = dev.get("urls.preview");
            String studioUrl = dev.get("urls.studio");
            String appUrl = staging.get("urls.preview");
            assertEquals("members", dev.get("access"), dev.raw());
            assertEquals("members", staging.get("access"), staging.raw());
            assertEquals("public", prod.get("access"), prod.raw());
            assertTrue(devApp.matches("http://development-shop-[0-9a-f]{12}\\.localhost:\\d+/"), devApp);
            assertEquals(devApp.replace("http://", "http://studio-"), studioUrl);
            assertTrue(appUrl.matches("http://staging-shop-[0-9a-f]{12}\\.localhost:\\d+/"), appUrl);
            assertNull(prod.get("urls.studio"), "production has no Studio: " + prod.raw());
            for (var env : List.of(dev, staging, prod)) {
                assertFalse(env.raw().contains("127.0.0.1"), "no raw server address is shown: " + env.raw());
            }

            // A developer (invited to development) and an end user of staging, invited and signed up.
            String devEmail = newEmail("grace");
            String endEmail = newEmail("eve");
            String devMembers = devPath + "/members";
            String stagingMembers = stagingPath + "/members";
            var inviteGrace = cloudplane.call("POST", devMembers, owner, Map.of("email", devEmail, "firstName", "Grace",
                    "lastName", "Hopper", "profile", "user"));
            assertEquals(201, inviteGrace.status(), inviteGrace.raw());
            var inviteEve = cloudplane.call("POST", stagingMembers, owner, Map.of("email", endEmail, "firstName", "Eve",
                    "lastName", "User", "profile", "user"));
            assertEquals(201, inviteEve.status(), inviteEve.raw());
            assertEquals("USER", inviteEve.get("kind"));
            String graceId = signUpInvited(cloudplane, outbox, devEmail, "Grace");
            String eveId = signUpInvited(cloudplane, outbox, endEmail, "Eve");
            String strangerEmail = newEmail("mallory");
            cloudplane.call("POST", "/api/v1/accounts", null, Map.of("email", strangerEmail, "password", PASSWORD,
                    "firstName", "Mallory", "lastName", "Other"));
            String graceToken = cloudplane.call("POST", "/api/v1/sessions", null, Map.of("email", devEmail, "password", PASSWORD))
                    .get("accessToken");

            // Anonymous: refused and sent to the sign-in page (a browser), 401 (a script).
            GatewayClient.Browser anonymous = new GatewayClient.Browser();
            var refused = anonymous.get(appUrl + "_identity");
            assertEquals(302, refused.status(), refused.body());
            assertTrue(refused.location().startsWith(cloudplane.baseUrl() + "/gateway/sign-in?to="), refused.location());
            assertEquals(401, GatewayClient.get(appUrl + "_identity", null).status());

            // The owner, the developer and the end user get in, each seen with their profile.
            GatewayClient.Browser eve = new GatewayClient.Browser();
            Map<String, Object> seen = identity(eve, appUrl + "_identity", eve.signIn(appUrl + "_identity", endEmail, PASSWORD), Map.of());
            assertEquals(eveId, seen.get("userId"), seen.toString());
            assertEquals(endEmail, seen.get("userEmail"));
            assertEquals("user", String.valueOf(seen.get("profile")).toLowerCase());
            assertEquals("user", seen.get("role"));
            assertFalse(eve.cookiesOf(java.net.URI.create(appUrl).getHost()).isEmpty(), "the sign-in left a session cookie");
            seen = identity(GatewayClient.get(appUrl + "_identity", owner));
            assertEquals("owner", seen.get("role"), seen.toString());
            seen = identity(GatewayClient.get(appUrl + "_identity", graceToken));
            assertEquals("developer", seen.get("role"), seen.toString());
            GatewayClient.Browser grace = new GatewayClient.Browser();
            seen = identity(grace, studioUrl + "_identity", grace.signIn(studioUrl + "_identity", devEmail, PASSWORD), Map.of());
            assertEquals(graceId, seen.get("userId"), seen.toString());
            assertEquals("developer", seen.get("role"));
            // ... the end user has no Studio and no development; a user of another app gets nothing.
            var eveStudio = new GatewayClient.Browser().signIn(studioUrl + "_identity", endEmail, PASSWORD);
            assertEquals(403, eveStudio.status(), eveStudio.body());
            var eveDev = new GatewayClient.Browser().signIn(devApp + "_identity", endEmail, PASSWORD);
            assertEquals(403, eveDev.status(), eveDev.body());
            var mallory = new GatewayClient.Browser().signIn(appUrl + "_identity", strangerEmail, PASSWORD);
            assertEquals(403, mallory.status(), mallory.body());
            assertFalse(mallory.body().contains("Exception"), mallory.body());

            // Forged identity headers never reach the server.
            seen = identity(eve.get(appUrl + "_identity", Map.of("X-Cloudplane-User-Email", "ceo@example.com",
                    "X-Cloudplane-Role", "owner", "X-Forwarded-For", "10.9.8.7", "Accept", "application/json")));
            assertEquals(endEmail, seen.get("userEmail"), seen.toString());
            assertEquals("user", seen.get("role"));
            assertNotEquals("10.9.8.7", seen.get("forwardedFor"), "an untrusted client's X-Forwarded-For is replaced");
            // ... nor around it: the server's own loopback port answers only requests with the gateway's key.
            String server = serverAddress(cloudplane, stagingCreated.get("id"));
            var around = GatewayClient.send("GET", server + "_identity", Map.of("X-Cloudplane-User-Email", "ceo@example.com",
                    "X-Cloudplane-Gateway-Key", "guessed"), null);
            assertEquals(403, around.status(), "a local process that opens the server's port itself: " + around.body());
            assertEquals(200, GatewayClient.status(server + "_health", null), "the health check needs no key");

            // The Studio link of POST …/studio-sessions signs its caller in, once.
            var session = cloudplane.call("POST", devPath + "/studio-sessions", owner, null);
            assertEquals(201, session.status(), session.raw());
            String link = session.get("studioUrl");
            GatewayClient.Browser olive = new GatewayClient.Browser();
            var opened = olive.follow(link);
            assertEquals(200, opened.status(), opened.body());
            assertEquals(403, new GatewayClient.Browser().get(link).status(), "a Studio link signs in once");

            // A removed member is refused at their next request.
            assertEquals(204, cloudplane.call("DELETE", stagingMembers + "/" + eveId, owner, null).status());
            await("the removed end user refused").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                    .until(() -> eve.get(appUrl + "_identity", AS_JSON).status() == 403);

            // Public: anyone, no sign-in, no identity; and back to members.
            var patched = cloudplane.call("PATCH", stagingPath, owner, Map.of("access", "public"));
            assertEquals(200, patched.status(), patched.raw());
            seen = identity(new GatewayClient.Browser().get(appUrl + "_identity", Map.of("X-Cloudplane-User-Id", graceId,
                    "Accept", "application/json")));
            assertNull(seen.get("userId"), "anonymous on a public app, and the forged header stripped: " + seen);
            assertEquals(200, cloudplane.call("PATCH", stagingPath, owner, Map.of("access", "members")).status());
            assertEquals(302, new GatewayClient.Browser().get(appUrl + "_identity").status());
            var anonymousProd = new GatewayClient.Browser().get((String) prod.get("urls.preview"));
            assertEquals(200, anonymousProd.status(), "a public production needs no sign-in: " + anonymousProd.body());

            // Stopped by its owner: a clear page, never a port.
            var stop = cloudplane.call("POST", stagingPath + "/stop", owner, null);
            assertEquals("SUCCEEDED", cloudplane.awaitOperation(stop.get("id"), owner, Duration.ofSeconds(60)).get("status"));
            var stopped = GatewayClient.get(appUrl, owner);
            assertEquals(503, stopped.status(), stopped.body());
            assertTrue(stopped.body().contains("stopped by its owner"), stopped.body());
            assertEquals(404, new GatewayClient.Browser().get(appUrl.replaceFirst("staging-shop-[0-9a-f]{12}",
                    "nothing-here-000000000000")).status(), "an unknown host");

            // Sandboxes: Olive uses her Studio through the gateway, Grace does not touch hers.
            String oliveSandbox = (String) ((Map<?, ?>) cloudplane.call("GET", "/api/v1/apps", owner, null).get("sandbox")).get("id");
            String oliveSandboxEnv = sandboxEnvironment(cloudplane, owner, oliveSandbox);
            String oliveStudio = cloudplane.call("GET", "/api/v1/apps/" + oliveSandbox + "/environments/" + oliveSandboxEnv, owner, null)
                    .get("urls.studio");
            String graceSandbox = (String) ((Map<?, ?>) cloudplane.call("GET", "/api/v1/apps", graceToken, null).get("sandbox")).get("id");
            String graceSandboxEnv = sandboxEnvironment(cloudplane, graceToken, graceSandbox);
            String graceEnvPath = "/api/v1/apps/" + graceSandbox + "/environments/" + graceSandboxEnv;
            String graceStudio = cloudplane.call("GET", graceEnvPath, graceToken, null).get("urls.studio");
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < until) {
                assertEquals(200, GatewayClient.status(oliveStudio, owner), "Olive's Studio answers while she uses it");
                Thread.sleep(500);
            }
            assertEquals("RUNNING", cloudplane.call("GET", "/api/v1/apps/" + oliveSandbox + "/environments/" + oliveSandboxEnv, owner, null)
                    .get("status"), "20 s of Studio use through the gateway kept it awake past its 8 s idle period");
            await("Grace's unused sandbox asleep").atMost(Duration.ofSeconds(30))
                    .until(() -> "SLEEPING".equals(cloudplane.call("GET", graceEnvPath, graceToken, null).get("status")));

            // A Studio request of its owner wakes it, and is answered.
            long started = System.nanoTime();
            var woken = GatewayClient.get(graceStudio, graceToken);
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertEquals(200, woken.status(), woken.body());
            assertEquals("RUNNING", cloudplane.call("GET", graceEnvPath, graceToken, null).get("status"));
            System.out.println("GatewayIT: a Studio request woke a sleeping sandbox and was answered in " + millis + " ms");
            // ... but not one stopped by its owner.
            // the wake's operation may still be closing when its server already answers: a stop meanwhile is a 409
            var stopSandbox = await("the stop accepted").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> cloudplane.call("POST", graceEnvPath + "/stop", graceToken, null), r -> r.status() == 202);
            assertEquals("SUCCEEDED", cloudplane.awaitOperation(stopSandbox.get("id"), graceToken, Duration.ofSeconds(60)).get("status"));
            var notWoken = GatewayClient.get(graceStudio, graceToken);
            assertEquals(503, notWoken.status(), notWoken.body());
            Thread.sleep(1000);
            assertEquals("STOPPED", cloudplane.call("GET", graceEnvPath, graceToken, null).get("status"));
        }
    }

    /** The server's own loopback address, which only the gateway uses (the environments row's). */
    private static String serverAddress(AllInOne cloudplane, String envId) throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + cloudplane.postgresPort() + "/postgres",
                "postgres", cloudplane.postgresPassword());
             var s = c.prepareStatement("select preview_url from environments where id = ?::uuid")) {
            s.setString(1, envId);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static String sandboxEnvironment(AllInOne cloudplane, String token, String sandboxId) throws Exception {
        List<Map<String, Object>> items = cloudplane.call("GET", "/api/v1/apps/" + sandboxId + "/environments", token, null).get("items");
        return (String) items.get(0).get("id");
    }

    /** Signs up the invited person with their mailed token; returns their user ID. */
    private static String signUpInvited(AllInOne cloudplane, Path outbox, String email, String firstName) throws Exception {
        String token = await("the invitation email to " + email).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> InvitationIT.tokenMailedTo(outbox, email), Optional::isPresent).orElseThrow();
        var account = cloudplane.call("POST", "/api/v1/accounts", null, Map.of("email", email, "password", PASSWORD,
                "firstName", firstName, "lastName", "Invited", "invitationToken", token));
        assertEquals(201, account.status(), account.raw());
        String id = account.get("account.id");
        assertNotNull(id, account.raw());
        return id;
    }
}
