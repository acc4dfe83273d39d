package io.cloudplane.worker;

import org.junit.jupiter.api.Test;

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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole sandbox cycle in seconds, through the environment variables a demo would set: the
 * sandbox sleeps (its server is gone), a login wakes it (the preview answers again), and a second
 * idle period without a wake deletes it, after the notices. The emails are read from the outbox.
 */
class SandboxLifecycleIT {

    private static List<String> subjects(Path outbox) {
        if (!Files.isDirectory(outbox)) {
            return List.of();
        }
        try (var files = Files.list(outbox)) {
            return files.filter(f -> f.toString().endsWith(".eml")).sorted().map(f -> {
                try {
                    return Files.readAllLines(f).stream().filter(l -> l.startsWith("Subject: ")).findFirst().orElse("");
                } catch (java.io.IOException e) {
                    return "";
                }
            }).toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    private static long count(Path outbox, String fragment) {
        return subjects(outbox).stream().filter(s -> s.contains(fragment)).count();
    }

    @Test
    void aSandboxSleepsWakesAtLoginAndIsDeletedAfterNoticesWhenLeftAsleep() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "lifecycle-").toAbsolutePath();
        Path outbox = dataDir.resolve("outbox");
        try (AllInOne cloudplane = new AllInOne(dataDir, Map.of(
                "CLOUDPLANE_SANDBOX_IDLE_PERIOD", "5s",
                "CLOUDPLANE_SANDBOX_DELETE_AFTER", "8s",
                "CLOUDPLANE_SANDBOX_DELETION_NOTICES", "5s,2s"))) {
            cloudplane.start();
            String email = "sleepy-" + UUID.randomUUID() + "@example.com";
            var account = cloudplane.call("POST", "/api/v1/accounts", null,
                    Map.of("email", email, "password", "correct-horse-battery", "firstName", "Sam", "lastName", "Sleeper"));
            assertEquals(201, account.status(), account.raw());
            String appId = account.get("sandboxAppId");
            String envId = account.get("operation.envId");
            String token = cloudplane.call("POST", "/api/v1/sessions", null,
                    Map.of("email", email, "password", "correct-horse-battery")).get("accessToken");
            assertEquals("SUCCEEDED", cloudplane.awaitOperation(account.get("operation.id"), token, Duration.ofSeconds(60)).get("status"));
            String envPath = "/api/v1/apps/" + appId + "/environments/" + envId;
            String preview = cloudplane.call("GET", envPath, token, null).get("urls.preview");

            var studio = cloudplane.call("POST", envPath + "/studio-sessions", token, null);
            assertEquals(201, studio.status(), studio.raw());
            assertNotNull(studio.get("studioUrl"));
            var app = cloudplane.call("GET", "/api/v1/apps/" + appId, token, null);
            assertEquals("AWAKE", app.get("lifecycle.phase"), app.raw());
            assertNotNull(app.get("lifecycle.sleepsAt"));

            // Asleep: the server is gone, the owner is told.
            await("asleep").atMost(Duration.ofSeconds(30)).until(() -> status(cloudplane, envPath, token).equals("SLEEPING"));
            assertTrue(AllInOne.serverProcesses(envId).isEmpty());
            var asleep = GatewayClient.get(preview, token);
            assertEquals(503, asleep.status(), "the gateway says it sleeps (its app door wakes nothing): " + asleep.body());
            await("the asleep email").atMost(Duration.ofSeconds(10)).until(() -> count(outbox, "is asleep") == 1);
            app = cloudplane.call("GET", "/api/v1/apps/" + appId, token, null);
            assertEquals("ASLEEP", app.get("lifecycle.phase"), app.raw());
            assertNotNull(app.get("lifecycle.deletesAt"));
            assertEquals(409, cloudplane.call("POST", envPath + "/studio-sessions", token, null).status(), "wake it first");
            var log = cloudplane.call("GET", envPath + "/activity", token, null);
            List<Map<String, Object>> entries = log.get("items");
            Map<String, Object> slept = entries.stream().filter(e -> "slept".equals(e.get("action"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no 'slept' entry: " + log.raw()));
            assertEquals("system", slept.get("who"), log.raw());
            assertEquals("SUCCEEDED", slept.get("outcome"), log.raw());
            var sleepOp = cloudplane.call("GET", "/api/v1/operations/" + slept.get("operationId"), token, null);
            assertEquals("SLEEP_SANDBOX", sleepOp.get("type"), sleepOp.raw());
            assertEquals("sandbox-lifecycle/" + appId, sleepOp.get("workflowId"), "the lifecycle itself put it to sleep");
            assertEquals("SUCCEEDED", sleepOp.get("status"), sleepOp.raw());
            assertTrue(sleepOp.raw().contains("stop-server"), sleepOp.raw());

            // A login wakes it.
            assertEquals(200, cloudplane.call("POST", "/api/v1/sessions", null,
                    Map.of("email", email, "password", "correct-horse-battery")).status());
            await("awake").atMost(Duration.ofSeconds(30)).until(() -> status(cloudplane, envPath, token).equals("RUNNING"));
            assertEquals(200, GatewayClient.status(preview, token), "the preview answers again");
            await("the awake email").atMost(Duration.ofSeconds(10)).until(() -> count(outbox, "is awake") == 1);

            // Left alone: asleep again, two notices, then deleted.
            await("deleted").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> cloudplane.call("GET", "/api/v1/apps/" + appId, token, null).status() == 404);
            await("the deleted email").atMost(Duration.ofSeconds(10)).until(() -> count(outbox, "was deleted") == 1);
            assertEquals(2, count(outbox, "will be deleted on"), String.valueOf(subjects(outbox)));
            List<String> order = subjects(outbox);
            assertTrue(order.indexOf(order.stream().filter(s -> s.contains("will be deleted on")).findFirst().orElseThrow())
                    < order.indexOf(order.stream().filter(s -> s.contains("was deleted")).findFirst().orElseThrow()),
                    "notices come before the deletion: " + order);
            assertTrue(AllInOne.serverProcesses(envId).isEmpty());
            try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + cloudplane.postgresPort() + "/postgres", "postgres", cloudplane.postgresPassword());
                 var s = c.prepareStatement("select count(*) from pg_database where datname = ?")) {
                s.setString(1, "env_" + envId.replace("-", ""));
                try (var rs = s.executeQuery()) {
                    rs.next();
                    assertEquals(0, rs.getInt(1), "the sandbox's database is gone");
                }
            }
            assertFalse(Files.exists(dataDir.resolve("environments").resolve(envId)));
        }
    }

    private static String status(AllInOne cloudplane, String envPath, String token) {
        try {
            String status = cloudplane.call("GET", envPath, token, null).get("status");
            return status == null ? "" : status;
        } catch (Exception e) {
            return "";
        }
    }
}
