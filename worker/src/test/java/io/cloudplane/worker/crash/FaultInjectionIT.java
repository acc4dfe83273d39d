package io.cloudplane.worker.crash;

import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.embedded.EmbeddedS3Server;
import io.cloudplane.infra.storage.ObjectStoreFactory;
import io.cloudplane.infra.storage.S3ObjectStore;
import io.cloudplane.worker.AllInOne;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Faults other than a crash of Cloudplane, each at a random moment inside an operation: the
 * environment's server process killed; the object store stopped for 30 s during a backup and during
 * a deployment (an s3proxy this test runs, given to the all-in-one as its external bucket, so that
 * it can be stopped on its own); Cloudplane's database paused for 10 s (every process of the
 * embedded PostgreSQL stopped with SIGSTOP, then SIGCONT: connections hang rather than fail fast,
 * the harder case). Each outcome must be an honest FAILED naming the step and the reason, or a
 * success, within a bound, never a hang and never a false success; then nothing is left behind.
 */
class FaultInjectionIT {
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final long seed = Long.getLong("cloudplane.crash.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private AllInOne cloudplane;
    private Outside outside;
    private String token;

    @Test
    void serverKillsStorageOutagesAndADatabasePauseEndInAnHonestOutcome() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "faults-").toAbsolutePath();
        // The object store lives in this test's process, its objects where the embedded one keeps them.
        EmbeddedS3Server s3 = new EmbeddedS3Server(new CloudplaneSettings(dataDir.toString()), AllInOne.freePort());
        try (S3ObjectStore bucket = new S3ObjectStore(ObjectStoreFactory.EMBEDDED_BUCKET, "us-east-1", s3.endpoint(), true,
                StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())), 5 * 1024 * 1024)) {
            bucket.ensureBucket();
        }
        cloudplane = new AllInOne(dataDir, Map.of(
                "CLOUDPLANE_STORAGE_S3_BUCKET", ObjectStoreFactory.EMBEDDED_BUCKET,
                "CLOUDPLANE_STORAGE_S3_ENDPOINT", s3.endpoint(),
                "CLOUDPLANE_STORAGE_S3_PATH_STYLE", "true",
                "CLOUDPLANE_STORAGE_S3_ACCESS_KEY", s3.accessKey(),
                "CLOUDPLANE_STORAGE_S3_SECRET_KEY", s3.secretKey(),
                "CLOUDPLANE_METRICS_ENABLED", "false",
                "CLOUDPLANE_DEPLOY_HEALTH_TIMEOUT", "40s"));
        outside = new Outside(cloudplane);
        System.out.println("Fault injection: seed " + seed + ", data in " + dataDir);
        List<String> outcomes = new ArrayList<>();
        try {
            cloudplane.start();
            token = cloudplane.signUp("faults", "Fay", "Ult");
            String app = created(cloudplane.call("POST", "/api/v1/apps", token, Map.of("name", "faulty")));
            String dev = devOf(app);
            String staging = environment(app, "staging");
            String production = environment(app, "production");
            try (Connection c = outside.connect(db(staging)); var s = c.createStatement()) {
                s.execute("set role " + db(staging));
                s.execute("create table orders (id int primary key, item text)");
                s.execute("insert into orders select g, repeat('x', 200) from generate_series(1, 20000) g");
            }
            String marker = "fault " + UUID.randomUUID();
            var upload = HTTP.send(HttpRequest.newBuilder(URI.create(cloudplane.baseUrl() + env(app, dev) + "/code"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/gzip")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(Outside.site(marker))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, upload.statusCode(), upload.body());
            var release = cloudplane.call("POST", "/api/v1/apps/" + app + "/releases", token, Map.of("name", "v1", "sourceEnvironmentId", dev));
            assertEquals("SUCCEEDED", cloudplane.awaitCreated(release, token, BOUND).get("status"), release.raw());

            // 1. The environment's server killed during a restart.
            var restart = cloudplane.call("POST", env(app, dev) + "/restart", token, null);
            assertEquals(202, restart.status(), restart.raw());
            Thread.sleep(random.nextInt(2000));
            outside.serverProcesses().getOrDefault(dev, List.of()).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            outcomes.add("server killed during a restart: " + honest(app, dev, restart.get("id"), true));

            // 2. The object store stopped for 30 s during a backup.
            var backup = cloudplane.call("POST", env(app, staging) + "/backups", token, null);
            assertEquals(202, backup.status(), backup.raw());
            Thread.sleep(random.nextInt(1500));
            outage(s3, 30);
            String path = env(app, staging) + "/backups/" + backup.get("id");
            var b = await("the backup to end").atMost(BOUND).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> cloudplane.call("GET", path, token, null), x -> List.of("COMPLETED", "FAILED").contains(x.<String>get("status")));
            if ("FAILED".equals(b.get("status"))) {
                assertTrue(b.get("failedStep") != null && b.get("error") != null, "a FAILED backup names its step and reason: " + b.raw());
            } else {
                assertEquals("PASSED", b.get("verification"), "COMPLETED only when verified: " + b.raw());
            }
            outcomes.add("object store down 30 s during a backup: " + b.get("status")
                    + (b.get("failedStep") == null ? "" : " at " + b.get("failedStep")));

            // 3. The object store stopped for 30 s during a deployment.
            var deploy = cloudplane.call("POST", env(app, production) + "/deployments", token, Map.of("releaseId", release.get("id")));
            assertEquals(202, deploy.status(), deploy.raw());
            Thread.sleep(random.nextInt(1500));
            outage(s3, 30);
            String deployed = honest(app, production, deploy.get("operation.id"), false);
            if (deployed.startsWith("SUCCEEDED")) {
                assertTrue(body(preview(app, production)).contains(marker), "a SUCCEEDED deployment serves the release");
            }
            outcomes.add("object store down 30 s during a deployment: " + deployed);

            // 4. Cloudplane's database paused for 10 s during a provisioning and a stop.
            var provision = cloudplane.call("POST", "/api/v1/apps/" + app + "/environments", token, Map.of("name", "qa", "type", "custom"));
            assertEquals(202, provision.status(), provision.raw());
            var stop = cloudplane.call("POST", env(app, staging) + "/stop", token, null);
            assertEquals(202, stop.status(), stop.raw());
            Thread.sleep(random.nextInt(1500));
            pauseDatabase(10);
            outcomes.add("database paused 10 s during a provisioning: " + honest(app, provision.get("id"), provision.get("operation.id"), false));
            outcomes.add("database paused 10 s during a stop: " + honest(app, staging, stop.get("id"), false));

            List<String> last = List.of();
            long until = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < until && !(last = outside.violations()).isEmpty()) {
                Thread.sleep(1000);
            }
            if (!last.isEmpty()) {
                fail("Left behind after the faults: " + last + "\n" + cloudplane.output());
            }
        } finally {
            System.out.println("Fault injection outcomes (seed " + seed + "):");
            outcomes.forEach(o -> System.out.println("  " + o));
            cloudplane.stop();
            outside.endLeftovers();
            s3.close();
        }
    }

    /**
     * The operation ends within the bound; FAILED says why; a RUNNING environment answers. Answers "STATUS (env STATUS)".
     * {@code serverKilled}: the environment's server was killed at a random moment, which may fall after the operation
     * brought it up healthy; then a SUCCEEDED operation beside a FAILED environment that says its server exited is true.
     */
    private String honest(String app, String envId, String operationId, boolean serverKilled) throws Exception {
        var op = cloudplane.awaitOperation(operationId, token, BOUND);
        String status = op.get("status");
        if ("FAILED".equals(status)) {
            assertTrue(op.get("error") != null && !op.<String>get("error").isBlank(), "a FAILED operation says why: " + op.raw());
        }
        var env = cloudplane.call("GET", env(app, envId), token, null);
        String envStatus = env.get("status");
        if ("RUNNING".equals(envStatus)) {
            String preview = env.get("urls.preview");
            await("RUNNING answers").atMost(Duration.ofSeconds(10)).until(() -> io.cloudplane.worker.GatewayClient.status(preview + "_health", token) == 200);
        } else if ("SUCCEEDED".equals(status) && serverKilled && "FAILED".equals(envStatus)) {
            assertTrue(String.valueOf(env.<String>get("statusReason")).contains("exited"),
                    "SUCCEEDED, then the killed server's environment FAILED, saying its server exited: " + env.raw());
        } else if ("SUCCEEDED".equals(status)) {
            assertTrue(List.of("STOPPED").contains(envStatus), "SUCCEEDED left the environment " + env.raw());
        } else {
            assertTrue(List.of("FAILED", "STOPPED").contains(envStatus), "after " + op.raw() + " the environment is " + env.raw());
            if ("FAILED".equals(envStatus)) {
                assertTrue(env.get("statusReason") != null, "FAILED says why: " + env.raw());
            }
        }
        return status + " (environment " + envStatus + (op.get("error") == null ? "" : "; " + op.get("error")) + ")";
    }

    private static void outage(EmbeddedS3Server s3, int seconds) throws InterruptedException {
        s3.close();
        Thread.sleep(seconds * 1000L);
        s3.restart();
    }

    /** SIGSTOP to the postmaster and every backend, for {@code seconds}, then SIGCONT. */
    private void pauseDatabase(int seconds) throws Exception {
        long postmaster = Long.parseLong(Files.readAllLines(cloudplane.dataDir().resolve("postgres").resolve("postmaster.pid")).get(0).trim());
        List<String> pids = new ArrayList<>();
        pids.add(Long.toString(postmaster));
        ProcessHandle.of(postmaster).orElseThrow().descendants().forEach(p -> pids.add(Long.toString(p.pid())));
        signal("-STOP", pids);
        try {
            Thread.sleep(seconds * 1000L);
        } finally {
            signal("-CONT", pids);
        }
    }

    private static void signal(String signal, List<String> pids) throws Exception {
        List<String> command = new ArrayList<>(List.of("kill", signal));
        command.addAll(pids);
        new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    private String created(AllInOne.Response created) throws Exception {
        assertEquals(202, created.status(), created.raw());
        assertEquals("SUCCEEDED", cloudplane.awaitCreated(created, token, BOUND).get("status"), created.raw());
        return created.get("id");
    }

    private String environment(String app, String type) throws Exception {
        return created(cloudplane.call("POST", "/api/v1/apps/" + app + "/environments", token, Map.of("name", type, "type", type)));
    }

    private String devOf(String app) throws Exception {
        List<Map<String, Object>> items = cloudplane.call("GET", "/api/v1/apps/" + app + "/environments", token, null).get("items");
        return (String) items.get(0).get("id");
    }

    private String preview(String app, String envId) throws Exception {
        return cloudplane.call("GET", env(app, envId), token, null).get("urls.preview");
    }

    private static String env(String app, String envId) {
        return "/api/v1/apps/" + app + "/environments/" + envId;
    }


    /** The page at an environment's URL, through the gateway, for the owner. */
    private String body(String url) throws Exception {
        return io.cloudplane.worker.GatewayClient.get(url, token).body();
    }


    private static String db(String envId) {
        return io.cloudplane.infra.environment.EnvironmentRecord.databaseNameFor(java.util.UUID.fromString(envId));
    }
}
