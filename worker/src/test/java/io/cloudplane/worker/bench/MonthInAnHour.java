package io.cloudplane.worker.bench;

import io.cloudplane.infra.code.CodeArchives;
import io.cloudplane.worker.AllInOne;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./mvnw -o -pl worker -am verify -Pmonth -Dcloudplane.cds.skip=true -DskipTests
 * -Dmonth.minutes=30}: a month of an all-in-one's life in {@code month.minutes} (30: a day a
 * minute), to see whether its memory stays bounded. Each variant, a value of the embedded
 * Temporal's retention ({@code -Dmonth.variants}, default {@code 3650d,3m}: "off", and a
 * namespace's 3 days at a day a minute), runs its own packaged all-in-one, at the same time, on its
 * own data directory.
 *
 * <p>A "day" is {@code month.minutes}/30. Every staging environment is backed up once a day and
 * deployed to (new code in development, a release, a deployment) every five; every environment is
 * restarted every five days. Sandboxes sleep after 2 minutes without Studio access (7 days would be
 * 7 minutes; shorter so that each goes through several sleeps and wakes), their owners log in
 * (which wakes them) or open the Studio every 4 minutes on average, and a sandbox left asleep for 8
 * minutes is deleted (after notices at 4 and 1 minute), its owner replaced by a new sign-up.
 * {@code month.apps} sandboxes (50), and one application with a development and a staging
 * environment per five of them.
 *
 * <p>Every {@code month.sample-seconds} (30) it reads, from outside, the all-in-one's live heap
 * and the workflow runs its embedded Temporal holds ({@code jcmd GC.class_histogram}: a full GC,
 * then a count of what is left) and the process's resident memory ({@code VmRSS}), and writes a CSV per variant ({@code <month.output>/month-<variant>.csv})
 * and a Markdown table for docs/reliability.md, and an SVG plot ({@code month.svg}; {@code
 * -Dmonth.plot-only=true} draws it again from the CSVs).
 */
public final class MonthInAnHour {
    private static final Duration OPERATION_TIMEOUT = Duration.ofMinutes(5);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)");
    private static final Pattern RUN_STATES = Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+io\\.temporal\\.internal\\.testservice\\.TestWorkflowMutableStateImpl\\s");
    private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");

    private MonthInAnHour() {
    }

    public static void main(String[] args) throws Exception {
        int minutes = Integer.getInteger("month.minutes", 30);
        int apps = Integer.getInteger("month.apps", 50);
        int sampleSeconds = Integer.getInteger("month.sample-seconds", 30);
        List<String> variants = List.of(System.getProperty("month.variants", "3650d,3m").split(","));
        Path out = Path.of(System.getProperty("month.output", "target"));
        Files.createDirectories(out);
        if (Boolean.getBoolean("month.plot-only")) {
            // Draws the plot again from the CSVs a run wrote.
            Map<String, List<Sample>> curves = new java.util.LinkedHashMap<>();
            for (String retention : variants) {
                curves.put(retention.trim(), Files.readAllLines(out.resolve("month-" + retention.trim() + ".csv")).stream().skip(1)
                        .map(line -> line.split(","))
                        .map(f -> new Sample(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                                Long.parseLong(f[4])))
                        .toList());
            }
            Files.writeString(out.resolve("month.svg"), svg(curves, minutes));
            return;
        }
        String started = Instant.now().toString();

        ExecutorService runs = Executors.newFixedThreadPool(variants.size());
        List<CompletableFuture<Run>> finished = new ArrayList<>();
        for (String retention : variants) {
            finished.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return new Run(retention.trim(), apps, Duration.ofMinutes(minutes), Duration.ofSeconds(sampleSeconds), out).run();
                } catch (Exception e) {
                    throw new IllegalStateException("variant " + retention + " failed", e);
                }
            }, runs));
        }
        List<Run> done = new ArrayList<>();
        for (CompletableFuture<Run> run : finished) {
            done.add(run.join());
        }
        runs.shutdown();

        System.out.printf("%nA month in %d minutes, started %s, %d sandboxes; samples every %d s (live heap: GC.class_histogram)%n%n",
                minutes, started, apps, sampleSeconds);
        StringBuilder header = new StringBuilder("| minute |");
        StringBuilder rule = new StringBuilder("|---|");
        for (Run run : done) {
            header.append(" retention ").append(run.retention).append(": live heap (MiB) | RSS (MiB) | runs held |");
            rule.append("---|---|---|");
        }
        System.out.println(header);
        System.out.println(rule);
        int rows = done.stream().mapToInt(r -> r.samples.size()).min().orElse(0);
        int every = Math.max(1, 60 / sampleSeconds) * Math.max(1, minutes / 30);
        for (int i = 0; i < rows; i++) {
            if (i % every != 0 && i != rows - 1) {
                continue;
            }
            StringBuilder line = new StringBuilder(String.format("| %.1f |", done.get(0).samples.get(i).seconds() / 60.0));
            for (Run run : done) {
                Sample s = run.samples.get(i);
                line.append(String.format(" %d | %d | %d |", s.heapKb() / 1024, s.rssKb() / 1024, s.runsHeld()));
            }
            System.out.println(line);
        }
        System.out.println();
        for (Run run : done) {
            System.out.printf("retention %s: %s%n", run.retention, run.counters());
        }
        Map<String, List<Sample>> curves = new java.util.LinkedHashMap<>();
        done.forEach(run -> curves.put(run.retention, run.samples));
        Files.writeString(out.resolve("month.svg"), svg(curves, minutes));
        System.out.println("\nPlot: " + out.resolve("month.svg"));
        boolean failed = done.stream().anyMatch(r -> r.serverErrors.get() > 0 || r.failedOperations.get() > 0);
        if (failed) {
            System.out.println("\nSome requests answered 5xx or operations FAILED: see the counters above and the logs in " + out);
        }
    }

    /** {@code heapKb}: live heap after a full GC; {@code runsHeld}: workflow runs in the embedded Temporal. */
    private record Sample(long seconds, long heapKb, long rssKb, long runsHeld, long operations) {
    }

    /** The curves as an SVG line chart: heap (solid) and RSS (dashed) per variant, in MiB over minutes. */
    private static String svg(Map<String, List<Sample>> runs, int minutes) {
        int width = 720;
        int height = 360;
        int left = 60;
        int bottom = 40;
        long maxMib = Math.max(1, runs.values().stream().flatMap(List::stream).mapToLong(s -> s.rssKb() / 1024).max().orElse(1));
        long top = (maxMib / 100 + 1) * 100;
        double xScale = (width - left - 20) / (minutes * 60.0);
        double yScale = (height - bottom - 20) / (double) top;
        String[] colours = {"#c0392b", "#2471a3", "#1e8449", "#7d3c98"};
        StringBuilder svg = new StringBuilder(String.format(java.util.Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n"
                        + "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", width, height));
        for (long mib = 0; mib <= top; mib += top / 4) {
            double y = height - bottom - mib * yScale;
            svg.append(String.format(java.util.Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"5\" y=\"%.1f\">%d MiB</text>%n",
                    left, y, width - 20, y, y + 4, mib));
        }
        for (int minute = 0; minute <= minutes; minute += Math.max(1, minutes / 6)) {
            double x = left + minute * 60 * xScale;
            svg.append(String.format(java.util.Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d min</text>%n", x, height - bottom + 18, minute));
        }
        int i = 0;
        for (Map.Entry<String, List<Sample>> run : runs.entrySet()) {
            String colour = colours[i % colours.length];
            StringBuilder heap = new StringBuilder();
            StringBuilder rss = new StringBuilder();
            for (Sample s : run.getValue()) {
                double x = left + s.seconds() * xScale;
                heap.append(String.format(java.util.Locale.ROOT, "%.1f,%.1f ", x, height - bottom - s.heapKb() / 1024.0 * yScale));
                rss.append(String.format(java.util.Locale.ROOT, "%.1f,%.1f ", x, height - bottom - s.rssKb() / 1024.0 * yScale));
            }
            svg.append(String.format(java.util.Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n", colour, heap));
            svg.append(String.format(java.util.Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"6 4\" points=\"%s\"/>%n", colour, rss));
            svg.append(String.format(java.util.Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">retention %s: live heap (solid), RSS (dashed)</text>%n",
                    left + 10, 16 + 16 * i, colour, run.getKey()));
            i++;
        }
        return svg.append("</svg>\n").toString();
    }

    /** One all-in-one, driven for the whole duration, with its samples and counters. */
    private static final class Run {
        private final String retention;
        private final int apps;
        private final Duration duration;
        private final Duration sampleEvery;
        private final Path out;
        private final List<Sample> samples = new CopyOnWriteArrayList<>();
        private final List<User> users = new CopyOnWriteArrayList<>();
        private final List<Business> businesses = new CopyOnWriteArrayList<>();
        private final Map<String, AtomicLong> actions = new ConcurrentHashMap<>();
        private final AtomicLong requests = new AtomicLong();
        private final AtomicLong serverErrors = new AtomicLong();
        private final AtomicLong tooMany = new AtomicLong();
        private final AtomicLong failedOperations = new AtomicLong();
        private final AtomicLong operations = new AtomicLong();
        private final ExecutorService actors = Executors.newFixedThreadPool(4);
        private AllInOne cloudplane;

        Run(String retention, int apps, Duration duration, Duration sampleEvery, Path out) {
            this.retention = retention;
            this.apps = apps;
            this.duration = duration;
            this.sampleEvery = sampleEvery;
            this.out = out;
        }

        Run run() throws Exception {
            Path dataDir = Files.createTempDirectory("cloudplane-month-" + retention + "-");
            cloudplane = new AllInOne(dataDir, Map.of(
                    "CLOUDPLANE_EMBEDDED_TEMPORAL_RETENTION", retention,
                    "CLOUDPLANE_SANDBOX_IDLE_PERIOD", "2m",
                    "CLOUDPLANE_SANDBOX_DELETE_AFTER", "8m",
                    "CLOUDPLANE_SANDBOX_DELETION_NOTICES", "4m,1m"));
            cloudplane.start();
            long start = System.nanoTime();
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(() -> {
                try {
                    sample(start);
                } catch (Exception e) {
                    System.out.printf("[retention %s] sample failed: %s%n", retention, e);
                }
            }, 0, sampleEvery.toMillis(), TimeUnit.MILLISECONDS);
            try {
                // Sign-ups and creations do not wait for provisioning: it goes on under the load that follows.
                for (int i = 0; i < apps; i++) {
                    users.add(signUp());
                }
                for (int i = 0; i < apps / 5; i++) {
                    businesses.add(business(users.get(i)));
                }
                long end = start + duration.toNanos();
                long nextTick = System.nanoTime();
                while (System.nanoTime() < end) {
                    if (System.nanoTime() >= nextTick) {
                        tick();
                        nextTick += TimeUnit.SECONDS.toNanos(5);
                    }
                    Thread.sleep(200);
                }
                actors.shutdown();
                actors.awaitTermination(2, TimeUnit.MINUTES);
            } finally {
                actors.shutdownNow();
                sampler.shutdown();
                sampler.awaitTermination(2, TimeUnit.MINUTES);
                sample(start);
                writeCsv();
                Files.copy(Path.of(logOf(dataDir)), out.resolve("month-" + retention + ".log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                cloudplane.stop();
                io.cloudplane.infra.files.FileTrees.delete(dataDir); // about 1 GB after a month
            }
            return this;
        }

        private static String logOf(Path dataDir) throws IOException {
            try (var files = Files.list(dataDir)) {
                return files.filter(f -> f.getFileName().toString().startsWith("all-in-one-")).findFirst().orElseThrow().toString();
            }
        }

        String counters() {
            return String.format("%d requests, %d answered 5xx, %d answered 429; %d operations awaited, %d FAILED; actions %s",
                    requests.get(), serverErrors.get(), tooMany.get(), operations.get(), failedOperations.get(), new java.util.TreeMap<>(actions));
        }

        /** One 5-second step: each action happens with the probability that gives its mean interval. */
        private void tick() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            double day = duration.toSeconds() / 30.0;
            for (int i = 0; i < users.size(); i++) {
                User user = users.get(i);
                int index = i;
                if (random.nextDouble() < 5.0 / 240) {
                    act("visit", () -> visit(user, index));
                }
                if (random.nextDouble() < 5.0 / (5 * day)) {
                    act("restart", () -> awaited(call("POST", user.envPath() + "/restart", user.token(), null), user.token()));
                }
            }
            for (Business b : businesses) {
                if (random.nextDouble() < 5.0 / day) {
                    act("backup", () -> call("POST", b.stagingPath() + "/backups", b.owner().token(), null));
                }
                if (random.nextDouble() < 5.0 / (5 * day)) {
                    act("deploy", () -> deploy(b));
                }
                if (random.nextDouble() < 5.0 / (5 * day)) {
                    act("restart", () -> awaited(call("POST", b.stagingPath() + "/restart", b.owner().token(), null), b.owner().token()));
                }
            }
        }

        private void visit(User user, int index) throws Exception {
            AllInOne.Response apps = call("GET", "/api/v1/apps", user.token(), null);
            if (apps.status() == 200 && apps.get("sandbox") == null) {
                // Deleted after sleeping too long: a new user signs up in this one's place.
                users.set(index, signUp());
                actions.computeIfAbsent("sandbox replaced", k -> new AtomicLong()).incrementAndGet();
                return;
            }
            if (ThreadLocalRandom.current().nextBoolean()) {
                call("POST", "/api/v1/sessions", null, Map.of("email", user.email(), "password", "correct-horse-battery"));
            } else {
                call("POST", user.envPath() + "/studio-sessions", user.token(), null);
            }
        }

        private void act(String kind, Action action) {
            actions.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
            actors.execute(() -> {
                try {
                    action.run();
                } catch (Exception e) {
                    actions.computeIfAbsent(kind + " error", k -> new AtomicLong()).incrementAndGet();
                }
            });
        }

        private interface Action {
            void run() throws Exception;
        }

        private User signUp() throws Exception {
            String email = "month-" + UUID.randomUUID() + "@example.com";
            AllInOne.Response created = call("POST", "/api/v1/accounts", null,
                    Map.of("email", email, "password", "correct-horse-battery", "firstName", "Month", "lastName", "Long"));
            if (created.status() != 201) {
                throw new IllegalStateException("sign-up answered " + created.status() + ": " + created.raw());
            }
            String token = call("POST", "/api/v1/sessions", null, Map.of("email", email, "password", "correct-horse-battery")).get("accessToken");
            return new User(email, token, "/api/v1/apps/" + created.get("sandboxAppId") + "/environments/" + created.get("operation.envId"));
        }

        private Business business(User owner) throws Exception {
            AllInOne.Response app = call("POST", "/api/v1/apps", owner.token(), Map.of("name", "shop-" + UUID.randomUUID().toString().substring(0, 8)));
            String appPath = "/api/v1/apps/" + app.get("id");
            AllInOne.Response staging = call("POST", appPath + "/environments", owner.token(), Map.of("name", "staging", "type", "staging"));
            return new Business(owner, appPath, appPath + "/environments/" + app.get("operation.envId"), appPath + "/environments/" + staging.get("id"));
        }

        /** New code in development, a release of it, deployed to staging. */
        private void deploy(Business b) throws Exception {
            Path tree = Files.createTempDirectory("month-code-");
            Path archive = Files.createTempFile("month-code-", ".tar.gz");
            try {
                Files.writeString(tree.resolve("index.html"), "<h1>" + UUID.randomUUID() + "</h1>");
                try (OutputStream stream = Files.newOutputStream(archive)) {
                    CodeArchives.writeTarGz(tree, stream);
                }
                requests.incrementAndGet();
                HttpResponse<String> uploaded = HTTP.send(HttpRequest.newBuilder(URI.create(cloudplane.baseUrl() + b.devPath() + "/code"))
                        .header("Authorization", "Bearer " + b.owner().token()).header("Content-Type", "application/gzip")
                        .timeout(Duration.ofSeconds(60)).PUT(HttpRequest.BodyPublishers.ofFile(archive)).build(), HttpResponse.BodyHandlers.ofString());
                count(uploaded.statusCode());
                if (uploaded.statusCode() != 200) {
                    return;
                }
                String devId = b.devPath().substring(b.devPath().lastIndexOf('/') + 1);
                AllInOne.Response release = call("POST", b.appPath() + "/releases", b.owner().token(),
                        Map.of("name", "r-" + UUID.randomUUID().toString().substring(0, 8), "sourceEnvironmentId", devId));
                if (!"SUCCEEDED".equals(awaited(release, b.owner().token()))) {
                    return;
                }
                awaited(call("POST", b.stagingPath() + "/deployments", b.owner().token(), Map.of("releaseId", release.get("id"))), b.owner().token());
            } finally {
                Files.deleteIfExists(tree.resolve("index.html"));
                Files.deleteIfExists(tree);
                Files.deleteIfExists(archive);
            }
        }

        /** Waits for the operation an answer carries (at its root or under {@code operation}); its final status, or null. */
        private String awaited(AllInOne.Response accepted, String token) throws Exception {
            String id = accepted.get("operation.id") != null ? accepted.get("operation.id")
                    : accepted.status() == 202 ? accepted.get("id") : null;
            if (id == null) {
                return null;
            }
            operations.incrementAndGet();
            long deadline = System.nanoTime() + OPERATION_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                String status = call("GET", "/api/v1/operations/" + id, token, null).get("status");
                if ("SUCCEEDED".equals(status) || "CANCELLED".equals(status)) {
                    return status;
                }
                if ("FAILED".equals(status)) {
                    failedOperations.incrementAndGet();
                    return status;
                }
                Thread.sleep(1000);
            }
            actions.computeIfAbsent("operation not ended in " + OPERATION_TIMEOUT.toMinutes() + " min", k -> new AtomicLong()).incrementAndGet();
            return null;
        }

        private AllInOne.Response call(String method, String path, String token, Object body) throws Exception {
            requests.incrementAndGet();
            AllInOne.Response response = cloudplane.call(method, path, token, body);
            count(response.status());
            return response;
        }

        private void count(int status) {
            if (status >= 500) {
                serverErrors.incrementAndGet();
            } else if (status == 429) {
                tooMany.incrementAndGet();
            }
        }

        /**
         * {@code GC.class_histogram} runs a full GC and counts what is left in the same safepoint: its
         * total is the live heap, unlike a heap reading after {@code GC.run}, which also holds
         * what was allocated since. The instances of the test server's run state are the runs it holds.
         */
        private void sample(long start) throws Exception {
            long pid = cloudplane.pid();
            String histogram = jcmd(pid, "GC.class_histogram");
            Matcher total = HISTOGRAM_TOTAL.matcher(histogram);
            Matcher runs = RUN_STATES.matcher(histogram);
            Matcher rss = RSS.matcher(Files.readString(Path.of("/proc/" + pid + "/status")));
            if (!total.find() || !rss.find()) {
                throw new IllegalStateException("could not read the live heap or the RSS of process " + pid);
            }
            Sample s = new Sample((System.nanoTime() - start) / 1_000_000_000L, Long.parseLong(total.group(1)) / 1024,
                    Long.parseLong(rss.group(1)), runs.find() ? Long.parseLong(runs.group(1)) : 0, operations.get());
            samples.add(s);
            System.out.printf("[retention %s] %4d s: live heap %d MiB, RSS %d MiB, %d runs held by Temporal, %d operations awaited%n",
                    retention, s.seconds(), s.heapKb() / 1024, s.rssKb() / 1024, s.runsHeld(), s.operations());
        }

        private static String jcmd(long pid, String command) throws IOException, InterruptedException {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            if (!Files.isExecutable(jcmd)) {
                throw new IllegalStateException(jcmd + " is missing: the month run needs a JDK, not a JRE");
            }
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("jcmd " + command + " failed: " + output);
            }
            return output;
        }

        private void writeCsv() throws IOException {
            StringBuilder csv = new StringBuilder("seconds,live_heap_kib,rss_kib,temporal_runs_held,operations_awaited\n");
            for (Sample s : samples) {
                csv.append(s.seconds()).append(',').append(s.heapKb()).append(',').append(s.rssKb()).append(',').append(s.runsHeld())
                        .append(',').append(s.operations()).append('\n');
            }
            Files.writeString(out.resolve("month-" + retention + ".csv"), csv);
        }
    }

    private record User(String email, String token, String envPath) {
    }

    private record Business(User owner, String appPath, String devPath, String stagingPath) {
    }
}
