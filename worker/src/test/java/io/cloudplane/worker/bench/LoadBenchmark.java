package io.cloudplane.worker.bench;

import io.cloudplane.worker.AllInOne;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * {@code ./mvnw -Pbench verify}: the all-in-one under load, from outside.
 * <ol>
 *   <li>{@code bench.load.apps} (50) apps created at once (one {@code POST /api/v1/apps} per thread,
 *   released together): every one answers 202 and reaches RUNNING, none fails; meanwhile a probe
 *   reads {@code GET /api/v1/apps} and {@code GET /api/v1/server-versions} every 250 ms and every
 *   read must answer 200 within its 10 s timeout;</li>
 *   <li>{@code bench.load.clients} (200) concurrent API clients (wrk, one connection each, for
 *   {@code bench.load.seconds} s) reading the apps list, an app, its environments and an operation:
 *   no answer but 2xx, no socket error.</li>
 * </ol>
 * Afterwards the all-in-one's log must show no exhausted connection pool and no 5xx. Prints a
 * Markdown table for docs/reliability.md. Needs {@code wrk} (Debian: apt-get install wrk).
 */
public final class LoadBenchmark {
    private static final Pattern TROUBLE = Pattern.compile(
            "Connection is not available|HikariPool.*(timeout|exhausted)|Internal Server Error|\" 5\\d\\d ");

    private LoadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int apps = Integer.getInteger("bench.load.apps", 50);
        int clients = Integer.getInteger("bench.load.clients", 200);
        int seconds = Integer.getInteger("bench.load.seconds", 30);
        Wrk.binary();
        Path dataDir = Files.createTempDirectory("cloudplane-bench-load-");
        List<String> rows = new ArrayList<>();
        try (AllInOne cloudplane = new AllInOne(dataDir, Map.of())) {
            cloudplane.start();
            String token = cloudplane.signUp("bench-load", "Load", "Bench");

            Probe probe = new Probe(cloudplane, token);
            Thread probing = new Thread(probe, "api-probe");
            probing.setDaemon(true);
            probing.start();
            long started = System.nanoTime();
            List<AllInOne.Response> created = createAtOnce(cloudplane, token, apps);
            long allAnswered = System.nanoTime();
            Map<String, Long> runningAfter = awaitAll(cloudplane, token, created, started);
            long allRunning = System.nanoTime();
            probe.stop.set(true);
            probing.join();

            List<Long> toRunning = new ArrayList<>(runningAfter.values());
            Collections.sort(toRunning);
            rows.add(String.format("| %d × POST /api/v1/apps at once: all answered 202 | %d ms |", apps, millis(started, allAnswered)));
            rows.add(String.format("| all %d environments RUNNING (none FAILED) | %d ms after the first POST |", apps, millis(started, allRunning)));
            rows.add(String.format("| POST to RUNNING per app, median (min / p90 / max) | %d ms (%d / %d / %d) |", percentile(toRunning, 0.5),
                    toRunning.get(0), percentile(toRunning, 0.9), toRunning.get(toRunning.size() - 1)));
            rows.add(String.format("| API reads during the creations: %d, failed | %d |", probe.latencies.size(), probe.failures.size()));
            List<Long> reads = new ArrayList<>(probe.latencies);
            Collections.sort(reads);
            rows.add(String.format("| API read latency during the creations, median (p99 / max) | %d ms (%d / %d) |", percentile(reads, 0.5),
                    percentile(reads, 0.99), reads.get(reads.size() - 1)));
            if (!probe.failures.isEmpty()) {
                throw new IllegalStateException("the API did not answer throughout: " + probe.failures);
            }

            String appId = created.get(0).get("id");
            String envId = created.get(0).get("operation.envId");
            String operationId = created.get(0).get("operation.id");
            Path script = Files.createTempFile("cloudplane-load-", ".lua");
            Files.writeString(script, """
                    local paths = {"/api/v1/apps", "/api/v1/apps/%1$s", "/api/v1/apps/%1$s/environments",
                                   "/api/v1/apps/%1$s/environments/%2$s", "/api/v1/operations/%3$s"}
                    local i = 0
                    request = function()
                      i = i + 1
                      return wrk.format("GET", paths[(i %% #paths) + 1])
                    end
                    """.formatted(appId, envId, operationId));
            Wrk.Result load = Wrk.run(cloudplane.baseUrl(), token, 2, clients, seconds, script);
            rows.add(String.format("| %d concurrent clients for %d s (5 reads in turn): requests/s | %,.0f |", clients, seconds,
                    load.requestsPerSecond()));
            rows.add(String.format("| … latency p50 / p90 / p99 | %.1f / %.1f / %.1f ms |", load.p50(), load.p90(), load.p99()));
            rows.add(String.format("| … answers other than 2xx, socket errors | %d, %d |", load.non2xx(), load.socketErrors()));
            var trouble = TROUBLE.matcher(cloudplane.output());
            String troubleLine = trouble.find() ? cloudplane.output().lines().filter(l -> TROUBLE.matcher(l).find()).findFirst().orElse("") : null;
            rows.add(String.format("| pool exhaustion or 5xx in the all-in-one's log | %s |", troubleLine == null ? "none" : troubleLine));
            print(rows);
            if (load.non2xx() > 0 || load.socketErrors() > 0 || troubleLine != null) {
                throw new IllegalStateException("errors under " + clients + " clients:\n" + load.raw() + "\n" + (troubleLine == null ? "" : troubleLine));
            }
        }
    }

    private static List<AllInOne.Response> createAtOnce(AllInOne cloudplane, String token, int apps) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(apps);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<AllInOne.Response>> answers = new ArrayList<>();
            for (int i = 0; i < apps; i++) {
                String name = "load-" + i;
                answers.add(pool.submit(() -> {
                    go.await();
                    return cloudplane.call("POST", "/api/v1/apps", token, Map.of("name", name));
                }));
            }
            go.countDown();
            List<AllInOne.Response> created = new ArrayList<>();
            for (Future<AllInOne.Response> answer : answers) {
                AllInOne.Response response = answer.get(2, TimeUnit.MINUTES);
                if (response.status() != 202) {
                    throw new IllegalStateException("a create answered " + response.status() + ": " + response.raw());
                }
                created.add(response);
            }
            return created;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Polls every unfinished operation until all have ended; the milliseconds from {@code started} to each success. */
    private static Map<String, Long> awaitAll(AllInOne cloudplane, String token, List<AllInOne.Response> created, long started)
            throws Exception {
        Map<String, Long> done = new ConcurrentHashMap<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        while (done.size() < created.size()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException((created.size() - done.size()) + " environments not RUNNING after 15 minutes");
            }
            for (AllInOne.Response app : created) {
                String operationId = app.get("operation.id");
                if (done.containsKey(operationId)) {
                    continue;
                }
                AllInOne.Response op = cloudplane.call("GET", "/api/v1/operations/" + operationId, token, null);
                if ("FAILED".equals(op.get("status")) || "CANCELLED".equals(op.get("status"))) {
                    throw new IllegalStateException("a provisioning failed: " + op.raw());
                }
                if ("SUCCEEDED".equals(op.get("status"))) {
                    done.put(operationId, millis(started, System.nanoTime()));
                }
            }
            Thread.sleep(200);
        }
        for (AllInOne.Response app : created) {
            String path = "/api/v1/apps/" + app.get("id") + "/environments/" + app.get("operation.envId");
            AllInOne.Response env = cloudplane.call("GET", path, token, null);
            if (!"RUNNING".equals(env.get("status"))) {
                throw new IllegalStateException("not RUNNING after its provisioning: " + env.raw());
            }
        }
        return done;
    }

    /** Reads the API every 250 ms; a read that does not answer 200 within 10 s is a failure. */
    private static final class Probe implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Long> latencies = new CopyOnWriteArrayList<>();
        final List<String> failures = new CopyOnWriteArrayList<>();
        private final AllInOne cloudplane;
        private final String token;

        Probe(AllInOne cloudplane, String token) {
            this.cloudplane = cloudplane;
            this.token = token;
        }

        @Override
        public void run() {
            while (!stop.get()) {
                for (String path : List.of("/api/v1/apps", "/api/v1/server-versions")) {
                    long started = System.nanoTime();
                    try {
                        AllInOne.Response read = cloudplane.call("GET", path, token, null);
                        long took = millis(started, System.nanoTime());
                        latencies.add(took);
                        if (read.status() != 200 || took > 10_000) {
                            failures.add(path + ": " + read.status() + " after " + took + " ms");
                        }
                    } catch (Exception e) {
                        failures.add(path + ": " + e);
                    }
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static long millis(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1_000_000;
    }

    private static long percentile(List<Long> sorted, double p) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(p * sorted.size()) - 1)));
    }

    private static void print(List<String> rows) {
        System.out.println();
        System.out.println("| measure | result |");
        System.out.println("|---|---|");
        rows.forEach(System.out::println);
    }
}
