package io.cloudplane.worker.bench;

import io.cloudplane.worker.AllInOne;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;

/**
 * {@code ./mvnw -Pbench verify}: measures the packaged all-in-one from outside, as a user meets it.
 * <ol>
 *   <li>start to ready: from spawning {@code java -jar} to the "ready" line, on an existing data
 *   directory, with and without the AppCDS archive the build makes;</li>
 *   <li>provisioning: from {@code POST /api/v1/apps} to the environment reading RUNNING.</li>
 * </ol>
 * Prints a Markdown table for docs/benchmarks.md. Options (system properties):
 * {@code bench.starts} (default 10), {@code bench.provisions} (default 20), {@code bench.warmup} (2).
 */
public final class Benchmarks {
    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        int starts = Integer.getInteger("bench.starts", 10);
        int provisions = Integer.getInteger("bench.provisions", 20);
        int warmup = Integer.getInteger("bench.warmup", 2);
        Path dataDir = Files.createTempDirectory("cloudplane-bench-");
        String archive = System.getProperty("cloudplane.cds.archive", "");
        List<String> rows = new ArrayList<>();

        // The first start creates the database cluster: reported apart.
        AllInOne first = new AllInOne(dataDir, Map.of());
        long firstStart = first.start();
        Stats provisioning = provision(first, provisions, warmup);
        first.stop();

        List<Long> withCds = new ArrayList<>();
        List<Long> withoutCds = new ArrayList<>();
        for (int i = 0; i < starts; i++) {
            withCds.add(startOnce(dataDir, Map.of()));
            System.setProperty("cloudplane.cds.archive", "");
            withoutCds.add(startOnce(dataDir, Map.of()));
            System.setProperty("cloudplane.cds.archive", archive);
        }

        rows.add(String.format("| start to ready, existing data dir, with AppCDS (n=%d) | %s |", starts, new Stats(withCds)));
        rows.add(String.format("| start to ready, existing data dir, without AppCDS (n=%d) | %s |", starts, new Stats(withoutCds)));
        rows.add(String.format("| first start (creates the database cluster), with AppCDS | %d ms |", firstStart));
        rows.add(String.format("| POST /api/v1/apps to environment RUNNING (n=%d, after %d warm-up) | %s |", provisions, warmup, provisioning));
        System.out.println();
        System.out.println("| measure | median (min / p90 / max) |");
        System.out.println("|---|---|");
        rows.forEach(System.out::println);
    }

    private static long startOnce(Path dataDir, Map<String, String> env) throws Exception {
        try (AllInOne cloudplane = new AllInOne(dataDir, env)) {
            return cloudplane.start();
        }
    }

    private static Stats provision(AllInOne cloudplane, int count, int warmup) throws Exception {
        String email = "bench-" + UUID.randomUUID() + "@example.com";
        cloudplane.call("POST", "/api/v1/accounts", null, Map.of("email", email, "password", "correct-horse-battery",
                "firstName", "Bench", "lastName", "Mark"));
        String token = cloudplane.call("POST", "/api/v1/sessions", null, Map.of("email", email, "password", "correct-horse-battery"))
                .get("accessToken");
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < warmup + count; i++) {
            long started = System.nanoTime();
            AllInOne.Response accepted = cloudplane.call("POST", "/api/v1/apps", token, Map.of("name", "bench-" + i));
            if (accepted.status() != 202) {
                throw new IllegalStateException(accepted.raw());
            }
            String path = "/api/v1/apps/" + accepted.get("id") + "/environments/" + accepted.get("operation.envId");
            // Polled every 5 ms from this thread, from the first answer on: the figure is the wait itself.
            await("environment " + path + " to be RUNNING").atMost(Duration.ofMinutes(5))
                    .pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                    .until(() -> {
                        AllInOne.Response env = cloudplane.call("GET", path, token, null);
                        if ("FAILED".equals(env.get("status"))) {
                            throw new IllegalStateException("provisioning failed: " + env.raw());
                        }
                        return "RUNNING".equals(env.get("status"));
                    });
            long millis = (System.nanoTime() - started) / 1_000_000;
            if (i >= warmup) {
                times.add(millis);
            }
        }
        return new Stats(times);
    }

    private record Stats(List<Long> values) {
        Stats {
            values = new ArrayList<>(values);
            Collections.sort(values);
        }

        long percentile(double p) {
            return values.get((int) Math.min(values.size() - 1, Math.ceil(p * values.size()) - 1));
        }

        long median() {
            int n = values.size();
            return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
        }

        @Override
        public String toString() {
            return String.format("%d ms (%d / %d / %d)", median(), values.get(0), percentile(0.9), values.get(values.size() - 1));
        }
    }
}
