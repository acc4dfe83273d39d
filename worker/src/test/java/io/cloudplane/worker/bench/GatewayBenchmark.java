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
 *   generated as they are sent: the all-in-one's heap used ({@code jcmd GC.heap_info}, every 200 ms) and its
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
        Map<String, String> environment = new java.util.HashMap<>(Map.of("CLOUDPLANE_SANDBOX_IDLE_PERIOD", "4s",
                "CLOUDPLANE_SANDBOX_DELETE_AFTER", "1h", "CLOUDPLANE_SANDBOX_DELETION_NOTICES", "30m"));
        String gatewayThreads = System.getProperty("bench.gateway.threads", "");
        if (!gatewayThreads.isBlank()) {
            environment.put("CLOUDPLANE_GATEWAY_THREADS", gatewayThreads);
        }
        boolean overheadOnly = Boolean.getBoolean("bench.overhead-only");
        try (AllInOne cloudplane = new AllInOne(dataDir, environment)) {
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

            // 1. Overhead, with nginx in front of the same server as the reference. The server answers only requests
            // with its gateway key (a local process is refused): the direct runs and nginx send it, read from its environment.
            long serverPid = AllInOne.serverProcesses(envId).get(0).pid();
            String key = gatewayKey(serverPid);
            List<String> keyed = List.of("X-Cloudplane-Gateway-Key: " + key);
            Nginx nginx = Nginx.start(dataDir.resolve("nginx"), serverPort, key);
            String viaNginx = "http://127.0.0.1:" + nginx.port() + "/";
            Wrk.run(direct, keyed, threads, connections, warmup, null);
            Wrk.run(gateway, host, threads, connections, warmup, null);
            Wrk.run(viaNginx, List.of(), threads, connections, warmup, null);
            List<Wrk.Result> nginxRuns = new ArrayList<>();
            List<Wrk.Result> directRuns = new ArrayList<>();
            List<Wrk.Result> gatewayRuns = new ArrayList<>();
            String jfr = System.getProperty("bench.jfr", "");
            double[] gatewayCpu = new double[2];
            double[] serverCpu = new double[2];
            long[] requests = new long[2];
            for (int round = 0; round < rounds; round++) {
                double g0 = ProcessCpu.ofProcess(cloudplane.pid());
                double s0 = ProcessCpu.ofProcess(serverPid);
                Wrk.Result d = Wrk.run(direct, keyed, threads, connections, seconds, null);
                gatewayCpu[0] += ProcessCpu.ofProcess(cloudplane.pid()) - g0;
                serverCpu[0] += ProcessCpu.ofProcess(serverPid) - s0;
                requests[0] += d.requests();
                directRuns.add(d);
                if (round == 0 && !jfr.isBlank()) {
                    ApiReadBenchmark.jcmd(cloudplane.pid(), "JFR.start", "name=gateway", "settings=profile",
                            "filename=" + Path.of(jfr, "gateway.jfr").toAbsolutePath());
                }
                g0 = ProcessCpu.ofProcess(cloudplane.pid());
                s0 = ProcessCpu.ofProcess(serverPid);
                Wrk.Result g = Wrk.run(gateway, host, threads, connections, seconds, null);
                gatewayCpu[1] += ProcessCpu.ofProcess(cloudplane.pid()) - g0;
                serverCpu[1] += ProcessCpu.ofProcess(serverPid) - s0;
                requests[1] += g.requests();
                gatewayRuns.add(g);
                if (round == 0 && !jfr.isBlank()) {
                    ApiReadBenchmark.jcmd(cloudplane.pid(), "JFR.stop", "name=gateway");
                }
                nginxRuns.add(Wrk.run(viaNginx, List.of(), threads, connections, seconds, null));
            }
            nginx.stop();
            System.out.println();
            System.out.printf("wrk -t%d -c%d -d%ds --latency, after %d s of warm-up each; GET / of the built-in server (%s)%n",
                    threads, connections, seconds, warmup, "its \"It works\" page");
            System.out.println("| path (round) | requests/s | p50 | p90 | p99 | non-2xx | socket errors |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (int round = 0; round < rounds; round++) {
                System.out.println(directRuns.get(round).row("direct (" + (round + 1) + ")"));
                System.out.println(gatewayRuns.get(round).row("through the gateway (" + (round + 1) + ")"));
                System.out.println(nginxRuns.get(round).row("through nginx " + nginx.version() + ", for reference (" + (round + 1) + ")"));
            }
            double directRate = directRuns.stream().mapToDouble(Wrk.Result::requestsPerSecond).average().orElseThrow();
            double gatewayRate = gatewayRuns.stream().mapToDouble(Wrk.Result::requestsPerSecond).average().orElseThrow();
            double directP50 = median(directRuns.stream().mapToDouble(Wrk.Result::p50).toArray());
            double gatewayP50 = median(gatewayRuns.stream().mapToDouble(Wrk.Result::p50).toArray());
            double ratio = gatewayRate / directRate;
            double nginxRate = nginxRuns.stream().mapToDouble(Wrk.Result::requestsPerSecond).average().orElseThrow();
            double nginxP50 = median(nginxRuns.stream().mapToDouble(Wrk.Result::p50).toArray());
            System.out.printf("%nthroughput through the gateway / direct: %.2f× (%,.0f / %,.0f requests/s, mean of %d rounds);"
                    + " added median latency: %.3f ms (%.3f - %.3f, median of the rounds' p50)%n",
                    ratio, gatewayRate, directRate, rounds, gatewayP50 - directP50, gatewayP50, directP50);
            System.out.printf("for reference, nginx %s (2 workers, upstream keep-alive) in front of the same server: %.2f× direct"
                    + " (%,.0f requests/s), added median latency %.3f ms%n", nginx.version(), nginxRate / directRate, nginxRate,
                    nginxP50 - directP50);
            System.out.printf("CPU per request: the built-in server %.1f µs direct, %.1f µs through the gateway; the all-in-one"
                            + " (the gateway and its decision) %.1f µs through the gateway (%.1f µs while idle beside the direct runs)%n",
                    1000 * serverCpu[0] / requests[0], 1000 * serverCpu[1] / requests[1], 1000 * gatewayCpu[1] / requests[1],
                    1000 * gatewayCpu[0] / requests[0]);
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

            if (overheadOnly) {
                System.out.println("bench.overhead-only: the other parts are not run");
                return;
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

    /** The server's gateway key, from its own environment (/proc/<pid>/environ: this machine's root, or Cloudplane's user). */
    private static String gatewayKey(long pid) throws IOException {
        for (String variable : Files.readString(Path.of("/proc", Long.toString(pid), "environ")).split("\0")) {
            if (variable.startsWith("CLOUDPLANE_GATEWAY_KEY=")) {
                return variable.substring("CLOUDPLANE_GATEWAY_KEY=".length());
            }
        }
        throw new IllegalStateException("the server of the benchmark has no gateway key");
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

    /** Debian's nginx as a reverse proxy in front of one server: the reference a proxy's overhead is compared with. */
    private record Nginx(Process process, int port, String version) {
        static Nginx start(Path dir, int serverPort, String key) throws Exception {
            Path binary = Path.of("/usr/sbin/nginx");
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException("nginx is not installed: the gateway benchmark compares with it (Debian: apt-get install nginx-light)");
            }
            Files.createDirectories(dir.resolve("logs"));
            int port = AllInOne.freePort();
            String conf = """
                    worker_processes 2;
                    events { worker_connections 4096; }
                    http {
                        access_log off;
                        upstream server { server 127.0.0.1:%d; keepalive 64; }
                        server {
                            listen 127.0.0.1:%d;
                            location / {
                                proxy_pass http://server;
                                proxy_http_version 1.1;
                                proxy_set_header Connection "";
                                proxy_set_header Host $host;
                                proxy_set_header X-Forwarded-For $remote_addr;
                                proxy_set_header X-Forwarded-Proto $scheme;
                                proxy_set_header X-Forwarded-Host $host;
                                proxy_set_header X-Cloudplane-Gateway-Key %s;
                                proxy_buffering off;
                            }
                        }
                    }
                    """.formatted(serverPort, port, key);
            Files.writeString(dir.resolve("nginx.conf"), conf);
            Process process = new ProcessBuilder(binary.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
                    "-g", "daemon off; pid " + dir.resolve("nginx.pid") + "; error_log " + dir.resolve("logs/error.log") + ";")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("logs/out.log").toFile()).start();
            await("nginx listening").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                try (var socket = new java.net.Socket("127.0.0.1", port)) {
                    return true;
                } catch (IOException e) {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("nginx exited: " + Files.readString(dir.resolve("logs/out.log")));
                    }
                    return false;
                }
            });
            Process v = new ProcessBuilder(binary.toString(), "-v").redirectErrorStream(true).start();
            String version = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().replace("nginx version: nginx/", "");
            v.waitFor();
            return new Nginx(process, port, version);
        }

        void stop() throws InterruptedException {
            process.destroy();
            process.waitFor();
        }
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

    /**
     * {@code jcmd <pid> GC.heap_info} every 200 ms (the heap's used size; jstat's eden figure moves only at
     * collections under G1) and {@code /proc/<pid>/status}' VmRSS every 100 ms: the largest of each seen.
     */
    private static final class MemorySampler {
        private static final java.util.regex.Pattern USED = java.util.regex.Pattern.compile("total \\d+K, used (\\d+)K");
        private final Thread heap;
        private final Thread rss;
        private final AtomicLong maxHeap = new AtomicLong();
        private final AtomicLong maxRss = new AtomicLong();
        private final AtomicLong samples = new AtomicLong();
        private volatile boolean running = true;

        MemorySampler(long pid) {
            String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            heap = new Thread(() -> {
                while (running) {
                    try {
                        Process p = new ProcessBuilder(jcmd, Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
                        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                        p.waitFor();
                        java.util.regex.Matcher used = USED.matcher(out);
                        if (used.find()) {
                            maxHeap.accumulateAndGet(Long.parseLong(used.group(1)), Math::max);
                            samples.incrementAndGet();
                        }
                        Thread.sleep(200);
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            heap.setDaemon(true);
            heap.start();
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
        }
    }
}
