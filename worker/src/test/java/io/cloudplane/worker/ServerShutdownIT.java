package io.cloudplane.worker;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged all-in-one stopped (SIGTERM) while it is still starting the
 * servers of its RUNNING environments in the background: no process of its data directory is left,
 * and the environments whose servers were not started yet are still RUNNING at the next start (not
 * FAILED "could not start at boot"), their servers started then.
 */
class ServerShutdownIT {
    private static final int APPS = 3;

    @Test
    void aStopDuringTheBootTimeServerStartsLeavesNoProcessOfTheDataDirectory() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "shutdown-").toAbsolutePath();
        List<String[]> environments = new ArrayList<>(); // {appId, envId}
        String token;
        try (AllInOne cloudplane = new AllInOne(dataDir, Map.of())) {
            cloudplane.start();
            token = cloudplane.signUp("shutdown", "Stop", "Race");
            List<AllInOne.Response> created = new ArrayList<>();
            for (int i = 0; i < APPS; i++) {
                AllInOne.Response app = cloudplane.call("POST", "/api/v1/apps", token, Map.of("name", "shutdown-" + i));
                assertEquals(202, app.status(), app.raw());
                created.add(app);
            }
            for (AllInOne.Response app : created) {
                assertEquals("SUCCEEDED", cloudplane.awaitCreated(app, token, Duration.ofSeconds(120)).get("status"));
                environments.add(new String[] {app.get("id"), app.get("operation.envId")});
            }
        }
        assertNothingLeft(dataDir, environments, "after a stop with every server up");

        // Stopped as soon as the first of the boot-time starts is logged: the others are still to come.
        try (AllInOne racing = new AllInOne(dataDir, Map.of())) {
            racing.start();
            await("the first boot-time server start").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                    .until(() -> racing.output().contains("Started server "));
        }
        assertNothingLeft(dataDir, environments, "after a stop during the boot-time server starts");

        try (AllInOne cloudplane = new AllInOne(dataDir, Map.of())) {
            cloudplane.start();
            for (String[] env : environments) {
                String path = "/api/v1/apps/" + env[0] + "/environments/" + env[1];
                AllInOne.Response read = cloudplane.call("GET", path, token, null);
                assertEquals("RUNNING", read.get("status"), "a stop at boot is not the environment's failure: " + read.raw());
                await("the server of " + env[1] + " started again").atMost(Duration.ofSeconds(60))
                        .until(() -> !AllInOne.serverProcesses(env[1]).isEmpty());
            }
        }
        assertNothingLeft(dataDir, environments, "after the last stop");
    }

    /** Neither an environment's server nor any process naming the data directory (the embedded PostgreSQL) runs. */
    private static void assertNothingLeft(Path dataDir, List<String[]> environments, String when) {
        List<String> left = new ArrayList<>();
        for (String[] env : environments) {
            AllInOne.serverProcesses(env[1]).forEach(p -> left.add(p.pid() + " " + p.info().commandLine().orElse("?")));
        }
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(dataDir.toString())).orElse(false))
                .forEach(p -> left.add(p.pid() + " " + p.info().commandLine().orElse("?")));
        left.forEach(line -> ProcessHandle.of(Long.parseLong(line.split(" ")[0])).ifPresent(ProcessHandle::destroyForcibly));
        assertTrue(left.isEmpty(), when + ", processes of " + dataDir + " were still running:\n" + String.join("\n", left));
    }
}
