package io.cloudplane.worker;

import io.cloudplane.infra.embedded.EmbeddedTemporalServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The other way to split the jar that the README describes: the API process runs the embedded
 * Temporal ({@code CLOUDPLANE_WORKER_ENABLED=false}, no {@code TEMPORAL_TARGET}), and a worker-only
 * process ({@code CLOUDPLANE_API_ENABLED=false}) reaches it with {@code TEMPORAL_TARGET} and the
 * key of {@code keys/temporal.key} as {@code TEMPORAL_API_KEY}; Cloudplane's database is Debian's
 * PostgreSQL, as in {@link ExternalPostgresIT}. Here Temporal outlives a killed worker, so nothing
 * starts the operation again: the workflow must go on from where the dead worker left it. An
 * environment whose worker is SIGKILLed in the middle of its {@code create-database} step is
 * RUNNING within a bounded time after the worker is back (issue 12: it stayed PROVISIONING, its
 * step RUNNING, for more than 5 minutes, its next workflow task held on the dead worker's sticky
 * queue).
 */
class TemporalInApiProcessIT {
    /** The step's start-to-close timeout (30 s) must pass before it is retried, then the rest of provisioning. */
    private static final Duration AFTER_RESTART = Duration.ofSeconds(120);
    private static DebianPostgres postgres;
    private static Path dataDir;
    private static AllInOne api;
    private static AllInOne worker;
    private static final List<String> environments = new ArrayList<>();

    @BeforeAll
    static void startPostgresThenTheApiThenTheWorker() throws Exception {
        postgres = DebianPostgres.start();
        dataDir = Files.createTempDirectory("cloudplane-temporal-in-api-");
        int temporalPort = AllInOne.freePort();
        Map<String, String> shared = postgres.cloudplaneSettings();
        var apiEnvironment = new HashMap<>(shared);
        apiEnvironment.put("CLOUDPLANE_EMBEDDED_TEMPORAL_PORT", Integer.toString(temporalPort));
        apiEnvironment.put("CLOUDPLANE_WORKER_ENABLED", "false");
        api = new AllInOne(dataDir, apiEnvironment);
        api.start();
        var workerEnvironment = new HashMap<>(shared);
        workerEnvironment.put("TEMPORAL_TARGET", "127.0.0.1:" + temporalPort);
        // What an operator passes: the key the API process generated into the shared data directory.
        workerEnvironment.put("TEMPORAL_API_KEY", EmbeddedTemporalServer.apiKeyIn(dataDir));
        workerEnvironment.put("CLOUDPLANE_API_ENABLED", "false");
        worker = new AllInOne(dataDir, workerEnvironment);
        worker.start();
    }

    @AfterAll
    static void stopEverything() throws Exception {
        try {
            if (worker != null) {
                worker.stop();
            }
            if (api != null) {
                api.stop();
            }
            // A server the killed worker started is no child of the next one: leave none behind.
            environments.forEach(id -> AllInOne.serverProcesses(id).forEach(ProcessHandle::destroyForcibly));
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
    void anAppsEnvironmentWhoseWorkerIsKilledInItsCreateDatabaseStepIsRunningSoonAfterTheWorkerIsBack() throws Exception {
        assertTrue(worker.output().contains("Temporal worker polling"), worker.output());
        String token = api.signUp("tinapi", "Grace", "Hopper");
        var created = api.call("POST", "/api/v1/apps", token, Map.of("name", "shop"));
        assertEquals(202, created.status(), created.raw());
        String appId = created.get("id");
        String envId = created.get("operation.envId");
        environments.add(envId);
        String operation = "/api/v1/operations/" + created.get("operation.id");
        await("the create-database step to start").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> api.call("GET", operation, token, null).raw(), body -> body.contains("\"name\":\"create-database\""));
        worker.kill();
        var whenKilled = api.call("GET", operation, token, null);
        assertEquals("RUNNING", whenKilled.get("status"), "the worker was killed in the middle of the operation: " + whenKilled.raw());

        worker.start();
        long back = System.nanoTime();
        var done = api.awaitCreated(created, token, AFTER_RESTART);
        long millis = (System.nanoTime() - back) / 1_000_000;
        assertEquals("SUCCEEDED", done.get("status"), done.raw() + logs());
        var env = api.call("GET", "/api/v1/apps/" + appId + "/environments/" + envId, token, null);
        assertEquals("RUNNING", env.get("status"), env.raw());
        assertEquals(200, GatewayClient.status(env.<String>get("urls.preview") + "_health", token),
                "the environment's server answers, through the API process's gateway");
        System.out.printf("TemporalInApiProcessIT: the environment whose worker was killed was RUNNING %d ms after the worker was back%n",
                millis);
    }

    private static String logs() {
        return "\n--- worker ---\n" + worker.output() + "\n--- api ---\n" + api.output() + postgres.serverLog();
    }
}
