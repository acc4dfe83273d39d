package io.cloudplane.worker.bench;

import io.cloudplane.worker.AllInOne;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;

/**
 * {@code ./mvnw -Pbench ... exec:exec@run-gateway-benchmark}: issue 14's figures for the access
 * gateway, against the packaged all-in-one.
 * <ol>
 *   <li>Overhead: {@code wrk} on loopback against one public production environment's built-in
 *   server, directly at its loopback port and through the gateway (its host in {@code Host}), in one
 *   run, alternating: {@code bench.wrk.rounds} (3) rounds of {@code bench.wrk.seconds} (15) each after
 *   a warm-up of {@code bench.wrk.warmup} (10) seconds each, {@code bench.wrk.threads} (2) threads,
 *   {@code bench.wrk.connections} (32) connections. Targets: throughput through the gateway at least
 *   0.8× direct, added median latency under 1 ms.</li>
 *   <li>1,000 concurrent keep-alive connections through the gateway for 15 s ({@code wrk -c1000}):
 *   no socket error, no non-2xx answer, and the connections counted established at the gateway's port
 *   while it runs ({@code ss}).</li>
 *   <li>A 200 MB upload through the gateway to the built-in server's {@code /_upload}, its bytes
 *   generated as they are sent: the all-in-one's heap used ({@code jstat -gc}, every 100 ms) and its
 *   resident memory ({@code /proc/<pid>/status}) before and during; target: neither grows by 100 MB.</li>
 *   <li>Wake on request: a sandbox asleep, the time from its owner's first Studio request to the first
 *   byte of the answer, {@code bench.wakes} (5) times; target under 2 s.</li>
 * </ol>
 * Fails when a target is missed. Needs {@code wrk} and {@code ss}.
 */
public final class GatewayBenchmark {
    private static final String PASSWORD = "correct-horse-battery";
    private static final long UPLOAD_BYTES = 200L * 1024 * 1024;

    private GatewayBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Wrk.binary();
        Path dataDir = Files.createTempDirectory("cloudplane-bench-gateway-");
        try {
            run(dataDir);
        } finally {
            io.cloudplane.infra.files.FileTrees.delete(dataDir);
        }
    }

    private static void run(Path dataDir) throws Exception {
        int threads = Integer.getInteger("bench.wrk.threads", 2);
        int connections = Integer.getInteger("bench.wrk.connections", 32);
        int warmup = Integer.getInteger("bench.wrk.warmup", 10);
        int seconds = Integer.getInteger("bench.wrk.seconds", 15);
        int rounds = Integer.getInteger("bench.wrk.rounds", 3);
        int wakes = Integer.getInteger("bench.wakes", 5);
        List<String> failures = new ArrayList<>();
        try (AllInOne cloudplane = new AllInOne(dataDir, Map.of("CLOUDPLANE_SANDBOX_IDLE_PERIOD", "4s",
                "CLOUDPLANE_SANDBOX_DELETE_AFTER", "1h", "CLOUDPLANE_SANDBOX_DELETION_NOTICES", "30m"))) {
            cloudplane.start();
            String email = "bench-gateway-" + UUID.randomUUID() + "@example.com";
            cloudplane.call("POST", "/api/v1/accounts", null, Map.of("email", email, "password", PASSWORD,
                    "firstName", "Gate", "lastName", "Way"));
            String token = cloudplane.call("POST", "/api/v1/sessions", null, Map.of("email", email, "password", PASSWORD))
                    .get("accessToken");
            AllInOne.Response app = cloudplane.call("POST", "/api/v1/apps", token, Map.of("name", "bench"));
            cloudplane.awaitCreated(app, token, Duration.ofSeconds(90));
            AllInOne.Response production = cloudplane.call("POST", "/api/v1/apps/" + app.get("id") + "/environments", token,
                    Map.of("name", "production", "type", "production"));
            if (!"SUCCEEDED".equals(cloudplane.awaitCreated(production, token, Duration.ofSeconds(90)).get("status"))) {
                throw new IllegalStateException("the production environment did not provision");
            }
            String envId = production.get("id");
            URI preview = URI.create(cloudplane.call("GET", "/api/v1/apps/" + app.get("id") + "/environments/" + envId, token, null)
                    .get("urls.preview"));
            int serverPort = serverPort(cloudplane, envId);
            String direct = "http://127.0.0.1:" + serverPort + "/";
            String gateway = "http://127.0.0.1:" + preview.getPort() + "/";
            List<String> host = List.of("Host: " + preview.getHost() + ":" + preview.getPort());
            System.out.printf("server %s directly at %s, through the gateway at %s (Host: %s)%n", "built-in", direct, gateway,
                    preview.getHost());

            // 1. Overhead.
            Wrk.run(direct, List.of(), threads, connections, warmup, null);
            Wrk.run(gateway, host, threads, connections, warmup, null);
            List<Wrk.Result> directRuns = new ArrayList<>();
            List<Wrk.Result> gatewayRuns = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                directRuns.add(Wrk.run(direct, List.of(), threads, connections, seconds, null));
                gatewayRuns.add(Wrk.run(gateway, host, threads, connections, seconds, null));
            }
            System.out.println();
            System.out.printf("wrk -t%d -c%d -d%ds --latency, after %d s of warm-up each; GET / of the built-in server (%s)%n",
                    threads, connections, seconds, warmup, "its \"It works\" page");
            System.out.println("| path (round) | requests/s | p50 | p90 | p99 | non-2xx | socket errors |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (int round = 0; round < rounds; round++) {
                System.out.println(directRuns.get(round).row("direct (" + (round + 1) + ")"));
                System.out.println(gatewayRuns.get(round).row("through the gateway (" + (round + 1) + ")"));
            }
            double directRate = directRuns.stream().mapToDouble(Wrk.Result::requestsPerSecond).average().orElseThrow();
            double gatewayRate = gatewayRuns.stream().mapToDouble(Wrk.Result::requestsPerSecond).average().orElseThrow();
            double directP50 = median(directRuns.stream().mapToDouble(Wrk.Result::p50).toArray());
            double gatewayP50 = median(gatewayRuns.stream().mapToDouble(Wrk.Result::p50).toArray());
            double ratio = gatewayRate / directRate;
            System.out.printf("%nthroughput through the gateway / direct: %.2f× (%,.0f / %,.0f requests/s, mean of %d rounds);"
                    + " added median latency: %.3f ms (%.3f - %.3f, median of the rounds' p50)%n",
                    ratio, gatewayRate, directRate, rounds, gatewayP50 - directP50, gatewayP50, directP50);
            if (ratio < 0.8) {
                failures.add(String.format("throughput through the gateway %.2f× direct, below 0.8×", ratio));
            }
            if (gatewayP50 - directP50 >= 1.0) {
                failures.add(String.format("added median latency %.3f ms, not under 1 ms", gatewayP50 - directP50));
            }
            for (Wrk.Result r : gatewayRuns) {
                if (r.non2xx() > 0 || r.socketErrors() > 0) {
                    failures.add("errors through the gateway: " + r.non2xx() + " non-2xx, " + r.socketErrors() + " socket errors");
                }
            }

            // 2. 1,000 concurrent keep-alive connections.
            AtomicLong established = new AtomicLong();
            Thread counter = new Thread(() -> {
                try {
                    Thread.sleep(5000);
                    established.set(establishedAt(preview.getPort()));
                } catch (Exception e) {
                    established.set(-1);
                }
            });
            counter.start();
            Wrk.Result thousand = Wrk.run(gateway, host, threads, 1000, 15, null);
            counter.join();
            System.out.println();
            System.out.println("| 1,000 connections through the gateway | requests/s | p50 | p90 | p99 | non-2xx | socket errors |");
            System.out.println("|---|---|---|---|---|---|---|");
            System.out.println(thousand.row("wrk -t" + threads + " -c1000 -d15s"));
            System.out.printf("connections established at the gateway's port 5 s into the run: %d%n", established.get());
            if (thousand.non2xx() > 0 || thousand.socketErrors() > 0) {
                failures.add("1,000 connections: " + thousand.non2xx() + " non-2xx, " + thousand.socketErrors() + " socket errors");
            }
            if (established.get() < 1000) {
                failures.add("only " + established.get() + " connections were established at the gateway, not 1,000");
            }

            // 3. A 200 MB upload.
            upload(cloudplane, gateway + "_upload", preview.getHost() + ":" + preview.getPort(), failures);

            // 4. Wake on request.
            wakes(cloudplane, token, wakes, failures);
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("targets missed: " + failures);
        }
        System.out.println("\nevery target met");
    }

    private static int serverPort(AllInOne cloudplane, String envId) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + cloudplane.postgresPort() + "/postgres",
                "postgres", cloudplane.postgresPassword());
             var s = c.prepareStatement("select port from environments where id = ?::uuid")) {
            s.setString(1, envId);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static long establishedAt(int port) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-Htn", "state", "established", "( sport = :" + port + " )").redirectErrorStream(true).start();
        long lines;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(ss.getInputStream(), StandardCharsets.UTF_8))) {
            lines = out.lines().filter(l -> !l.isBlank()).count();
        }
        ss.waitFor();
        return lines;
    }

    private static void upload(AllInOne cloudplane, String url, String host, List<String> failures) throws Exception {
        long pid = cloudplane.pid();
        MemorySampler sampler = new MemorySampler(pid);
        Thread.sleep(3000);
        long heapBefore = sampler.maxHeapKb();
        long rssBefore = sampler.maxRssKb();
        sampler.reset();
        HttpClient http = HttpClient.newBuilder().build();
        long started = System.nanoTime();
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(url)).header("Host", host)
                .timeout(Duration.ofMinutes(5))
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> new Generated(UPLOAD_BYTES)),
                        UPLOAD_BYTES)).build(), HttpResponse.BodyHandlers.ofString());
        double secondsTaken = (System.nanoTime() - started) / 1e9;
        long heapDuring = sampler.maxHeapKb();
        long rssDuring = sampler.maxRssKb();
        sampler.stop();
        System.out.println();
        System.out.printf("200 MB upload through the gateway: %d in %.1f s (%.0f MB/s); the server answered %s%n", answer.statusCode(),
                secondsTaken, 200 / secondsTaken, answer.body().strip());
        System.out.printf("all-in-one heap used, max: %,d KiB in the 3 s before, %,d KiB during (+%,d KiB);"
                        + " resident memory, max: %,d KiB before, %,d KiB during (+%,d KiB); %d samples%n",
                heapBefore, heapDuring, heapDuring - heapBefore, rssBefore, rssDuring, rssDuring - rssBefore, sampler.samples());
        if (answer.statusCode() != 200 || !answer.body().contains(Long.toString(UPLOAD_BYTES))) {
            failures.add("the upload did not arrive whole: " + answer.statusCode() + " " + answer.body());
        }
        if (heapDuring - heapBefore > 100 * 1024 || rssDuring - rssBefore > 100 * 1024) {
            failures.add("memory grew by 100 MB or more during the upload");
        }
    }

    private static void wakes(AllInOne cloudplane, String token, int count, List<String> failures) throws Exception {
        String sandbox = (String) ((Map<?, ?>) cloudplane.call("GET", "/api/v1/apps", token, null).get("sandbox")).get("id");
        List<Map<String, Object>> items = cloudplane.call("GET", "/api/v1/apps/" + sandbox + "/environments", token, null).get("items");
        String envPath = "/api/v1/apps/" + sandbox + "/environments/" + items.get(0).get("id");
        URI studio = URI.create(cloudplane.call("GET", envPath, token, null).get("urls.studio"));
        HttpClient http = HttpClient.newBuilder().build();
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            await("the sandbox asleep").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> "SLEEPING".equals(cloudplane.call("GET", envPath, token, null).get("status")));
            long started = System.nanoTime();
            HttpResponse<InputStream> answer = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + studio.getPort() + "/"))
                    .header("Host", studio.getHost() + ":" + studio.getPort()).header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = answer.body()) {
                int first = body.read();
                long took = (System.nanoTime() - started) / 1_000_000;
                if (answer.statusCode() != 200 || first < 0) {
                    failures.add("wake " + (i + 1) + ": answered " + answer.statusCode());
                }
                millis.add(took);
                body.readAllBytes();
            }
        }
        Collections.sort(millis);
        System.out.println();
        System.out.printf("wake on request, first Studio request to a sleeping sandbox until the first byte (n=%d): median %d ms,"
                + " min %d ms, max %d ms; all: %s%n", count, millis.get(millis.size() / 2), millis.get(0), millis.get(millis.size() - 1), millis);
        if (millis.get(millis.size() / 2) >= 2000) {
            failures.add("wake on request: median " + millis.get(millis.size() / 2) + " ms, not under 2 s");
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    /** Bytes made as they are read: a 200 MB body that is never in memory here either. */
    private static final class Generated extends InputStream {
        private long left;

        Generated(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            if (left == 0) {
                return -1;
            }
            left--;
            return (int) (left & 0x7f);
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) ((left - i) & 0x7f);
            }
            left -= n;
            return n;
        }
    }

    /** {@code jstat -gc <pid> 100} and {@code /proc/<pid>/status}, sampled: the largest heap used and resident set seen. */
    private static final class MemorySampler {
        private final Process jstat;
        private final Thread reader;
        private final Thread rss;
        private final AtomicLong maxHeap = new AtomicLong();
        private final AtomicLong maxRss = new AtomicLong();
        private final AtomicLong samples = new AtomicLong();
        private volatile boolean running = true;

        MemorySampler(long pid) throws IOException {
            jstat = new ProcessBuilder("jstat", "-gc", Long.toString(pid), "100").redirectErrorStream(true).start();
            reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(jstat.getInputStream(), StandardCharsets.UTF_8))) {
                    List<String> columns = null;
                    String line;
                    while ((line = out.readLine()) != null) {
                        List<String> cells = List.of(line.trim().split("\\s+"));
                        if (cells.contains("EU")) {
                            columns = cells;
                            continue;
                        }
                        if (columns == null || cells.size() != columns.size()) {
                            continue;
                        }
                        double used = 0;
                        for (String column : List.of("S0U", "S1U", "EU", "OU")) {
                            used += Double.parseDouble(cells.get(columns.indexOf(column)));
                        }
                        long kb = (long) used;
                        maxHeap.accumulateAndGet(kb, Math::max);
                        samples.incrementAndGet();
                    }
                } catch (IOException e) {
                    // jstat ended
                }
            });
            reader.setDaemon(true);
            reader.start();
            rss = new Thread(() -> {
                Path status = Path.of("/proc", Long.toString(pid), "status");
                while (running) {
                    try {
                        for (String line : Files.readAllLines(status)) {
                            if (line.startsWith("VmRSS:")) {
                                maxRss.accumulateAndGet(Long.parseLong(line.replaceAll("\\D", "")), Math::max);
                            }
                        }
                        Thread.sleep(100);
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            rss.setDaemon(true);
            rss.start();
        }

        long maxHeapKb() {
            return maxHeap.get();
        }

        long maxRssKb() {
            return maxRss.get();
        }

        long samples() {
            return samples.get();
        }

        void reset() {
            maxHeap.set(0);
            maxRss.set(0);
        }

        void stop() {
            running = false;
            jstat.destroy();
        }
    }
}
