package io.cloudplane.worker.bench;

import io.cloudplane.worker.AllInOne;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./mvnw -Pbench verify}: the API's reads under wrk, against the packaged all-in-one.
 * {@code GET /api/v1/apps} of a user with {@code bench.apps} apps (default 100) against
 * {@code GET /api/v1/server-versions} (authenticated, no database) in the same run, same token (a
 * session token), same settings: {@code bench.wrk.threads} (2), {@code bench.wrk.connections}
 * (32), a warm-up of {@code bench.wrk.warmup} seconds (15) per endpoint, then {@code bench.wrk.rounds}
 * (2) rounds of {@code bench.wrk.seconds} (20) per endpoint, alternating. Fails on any non-2xx
 * answer or socket error, and when the apps endpoint answers less than {@code bench.apps.min-ratio}
 * (0.5) of the bare endpoint's rate. Needs {@code wrk} (Debian: apt-get install wrk).
 *
 * <p>A rate measures who got the cores as much as what a request costs, on a machine that other
 * work shares. So each round also reads the CPU time the all-in-one process and the embedded
 * PostgreSQL's processes used ({@link ProcessCpu}, from /proc) over the run and divides it by the
 * requests wrk completed: CPU milliseconds per request, which the load of other processes does not
 * change. The benchmark fails too when a GET /apps costs more than {@code bench.apps.max-cpu-ratio}
 * (2.0) times the bare endpoint's CPU (all-in-one + PostgreSQL). With {@code bench.jfr} set to a
 * directory, the first measured round of each endpoint is recorded with JFR (profile settings) into
 * {@code <endpoint>.jfr} there, through {@code jcmd}.
 *
 * <p>{@code bench.app-list-cache} (true) is the all-in-one's {@code cloudplane.app-list-cache.enabled}:
 * with {@code false}, every GET /apps reads and writes its list anew, as one does after a change of
 * the rows it is built from; that run shows what a changed list costs and is not held to the two
 * ratios above (it prints them).
 *
 * <p>The apps are written straight into Cloudplane's database (rows of {@code apps} and
 * {@code app_members}, as a create writes them), without environments: the list reads neither,
 * and a hundred environment servers would not fit beside the load generator on 2 cores.
 */
public final class ApiReadBenchmark {
    private ApiReadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int apps = Integer.getInteger("bench.apps", 100);
        int threads = Integer.getInteger("bench.wrk.threads", 2);
        int connections = Integer.getInteger("bench.wrk.connections", 32);
        int warmup = Integer.getInteger("bench.wrk.warmup", 15);
        int seconds = Integer.getInteger("bench.wrk.seconds", 20);
        int rounds = Integer.getInteger("bench.wrk.rounds", 2);
        double minRatio = Double.parseDouble(System.getProperty("bench.apps.min-ratio", "0.5"));
        double maxCpuRatio = Double.parseDouble(System.getProperty("bench.apps.max-cpu-ratio", "2.0"));
        String jfr = System.getProperty("bench.jfr", "");
        boolean listCache = Boolean.parseBoolean(System.getProperty("bench.app-list-cache", "true"));
        if (!listCache) {
            minRatio = 0;
            maxCpuRatio = Double.MAX_VALUE;
        }
        Wrk.binary();
        Path dataDir = Files.createTempDirectory("cloudplane-bench-reads-");
        try {
            run(dataDir, apps, threads, connections, warmup, seconds, rounds, minRatio, maxCpuRatio, jfr, listCache);
        } finally {
            io.cloudplane.infra.files.FileTrees.delete(dataDir);
        }
    }

    private static void run(Path dataDir, int apps, int threads, int connections, int warmup, int seconds, int rounds,
                            double minRatio, double maxCpuRatio, String jfr, boolean listCache) throws Exception {
        System.out.println("kept apps lists (cloudplane.app-list-cache.enabled): " + listCache);
        try (AllInOne cloudplane = new AllInOne(dataDir, Map.of("CLOUDPLANE_APP_LIST_CACHE_ENABLED", Boolean.toString(listCache)))) {
            cloudplane.start();
            String token = cloudplane.signUp("bench-reads", "Read", "Bench");
            insertApps(cloudplane, subject(token), apps);
            AllInOne.Response list = cloudplane.call("GET", "/api/v1/apps", token, null);
            List<?> owned = list.get("applications");
            if (list.status() != 200 || owned.size() != apps) {
                throw new IllegalStateException("the list does not hold the " + apps + " apps: " + list.status() + " " + list.raw());
            }
            String bare = cloudplane.baseUrl() + "/api/v1/server-versions";
            String appsUrl = cloudplane.baseUrl() + "/api/v1/apps";
            Path pgData = dataDir.resolve("postgres");
            Wrk.run(bare, token, threads, connections, warmup);
            Wrk.run(appsUrl, token, threads, connections, warmup);
            List<Measured> bareRuns = new ArrayList<>();
            List<Measured> appsRuns = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                Path bareJfr = round == 0 && !jfr.isBlank() ? Path.of(jfr, "server-versions.jfr") : null;
                Path appsJfr = round == 0 && !jfr.isBlank() ? Path.of(jfr, "apps.jfr") : null;
                bareRuns.add(measure(cloudplane, pgData, bareJfr, () -> Wrk.run(bare, token, threads, connections, seconds)));
                appsRuns.add(measure(cloudplane, pgData, appsJfr, () -> Wrk.run(appsUrl, token, threads, connections, seconds)));
            }
            System.out.println();
            System.out.printf("wrk -t%d -c%d -d%ds --latency, after %d s of warm-up per endpoint; %d apps; response of GET /apps: %,d bytes;"
                            + " load average before the runs: %s, after: %s%n",
                    threads, connections, seconds, warmup, apps, list.raw().length(), bareRuns.get(0).loadAverage(),
                    loadAverage());
            System.out.println("| endpoint (round) | requests/s | p50 | p90 | p99 | non-2xx | socket errors"
                    + " | CPU/request, all-in-one | CPU/request, PostgreSQL |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            for (int round = 0; round < rounds; round++) {
                System.out.println(bareRuns.get(round).row("GET /api/v1/server-versions (" + (round + 1) + ")"));
                System.out.println(appsRuns.get(round).row("GET /api/v1/apps, " + apps + " apps (" + (round + 1) + ")"));
            }
            double bareRate = bareRuns.stream().mapToDouble(m -> m.wrk().requestsPerSecond()).average().orElseThrow();
            double appsRate = appsRuns.stream().mapToDouble(m -> m.wrk().requestsPerSecond()).average().orElseThrow();
            double ratio = appsRate / bareRate;
            double bareCpu = Measured.cpuPerRequest(bareRuns);
            double appsCpu = Measured.cpuPerRequest(appsRuns);
            double cpuRatio = appsCpu / bareCpu;
            System.out.printf("%nGET /apps / GET /server-versions: %.2f× (%,.0f / %,.0f requests/s, mean of %d rounds)%n",
                    ratio, appsRate, bareRate, rounds);
            System.out.printf("CPU per request (all-in-one + PostgreSQL, all rounds): GET /apps %.3f ms, GET /server-versions %.3f ms:"
                    + " %.2f×%n", appsCpu, bareCpu, cpuRatio);
            if (ratio < minRatio) {
                throw new IllegalStateException(String.format("GET /apps answers %.2f× of the bare endpoint, below %.2f×", ratio, minRatio));
            }
            if (cpuRatio > maxCpuRatio) {
                throw new IllegalStateException(String.format("GET /apps costs %.2f× the CPU of the bare endpoint, above %.2f×",
                        cpuRatio, maxCpuRatio));
            }
        }
    }

    /** One measured run: wrk's figures and the CPU milliseconds each side used meanwhile. */
    record Measured(Wrk.Result wrk, double appCpuMillis, double postgresCpuMillis, String loadAverage) {
        double appPerRequest() {
            return appCpuMillis / wrk.requests();
        }

        double postgresPerRequest() {
            return postgresCpuMillis / wrk.requests();
        }

        String row(String label) {
            return wrk.row(label) + String.format(" %.3f ms | %.3f ms |", appPerRequest(), postgresPerRequest());
        }

        static double cpuPerRequest(List<Measured> runs) {
            double cpu = runs.stream().mapToDouble(m -> m.appCpuMillis() + m.postgresCpuMillis()).sum();
            return cpu / runs.stream().mapToLong(m -> m.wrk().requests()).sum();
        }
    }

    interface Run {
        Wrk.Result run() throws Exception;
    }

    private static Measured measure(AllInOne cloudplane, Path pgData, Path jfr, Run run) throws Exception {
        String load = loadAverage();
        if (jfr != null) {
            jcmd(cloudplane.pid(), "JFR.start", "name=bench", "settings=profile", "filename=" + jfr.toAbsolutePath());
        }
        double app = ProcessCpu.ofProcess(cloudplane.pid());
        double postgres = ProcessCpu.ofPostgres(pgData);
        Wrk.Result result = check(run.run());
        double appUsed = ProcessCpu.ofProcess(cloudplane.pid()) - app;
        double postgresUsed = ProcessCpu.ofPostgres(pgData) - postgres;
        if (jfr != null) {
            jcmd(cloudplane.pid(), "JFR.stop", "name=bench");
        }
        return new Measured(result, appUsed, postgresUsed, load);
    }

    static void jcmd(long pid, String... command) throws Exception {
        List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid)));
        line.addAll(List.of(command));
        Process jcmd = new ProcessBuilder(line).redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes());
        if (jcmd.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed:\n" + out);
        }
    }

    /** The 1-, 5- and 15-minute load averages, as uptime shows them. */
    static String loadAverage() throws java.io.IOException {
        String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return fields[0] + ", " + fields[1] + ", " + fields[2];
    }

    private static Wrk.Result check(Wrk.Result result) {
        if (result.non2xx() > 0 || result.socketErrors() > 0) {
            throw new IllegalStateException("errors under load on " + result.url() + ":\n" + result.raw());
        }
        return result;
    }

    /** The user ID a session token is for: its subject. */
    static UUID subject(String token) {
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        Matcher sub = Pattern.compile("\"sub\"\\s*:\\s*\"([^\"]+)\"").matcher(payload);
        if (!sub.find()) {
            throw new IllegalStateException("no subject in " + payload);
        }
        return UUID.fromString(sub.group(1));
    }

    /** Writes {@code count} applications owned by {@code owner}, as a create would (without their environments). */
    static void insertApps(AllInOne cloudplane, UUID owner, int count) throws Exception {
        Timestamp now = Timestamp.from(Instant.now());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + cloudplane.postgresPort() + "/postgres",
                "postgres", cloudplane.postgresPassword());
             PreparedStatement app = c.prepareStatement("insert into apps (id, owner_id, name, kind, status, created_at, updated_at)"
                     + " values (?, ?, ?, 'APPLICATION', 'ACTIVE', ?, ?)");
             PreparedStatement member = c.prepareStatement("insert into app_members (app_id, user_id, role) values (?, ?, 'OWNER')")) {
            for (int i = 0; i < count; i++) {
                UUID id = UUID.randomUUID();
                app.setObject(1, id);
                app.setObject(2, owner);
                app.setString(3, "bench-" + i);
                app.setTimestamp(4, now);
                app.setTimestamp(5, now);
                app.addBatch();
                member.setObject(1, id);
                member.setObject(2, owner);
                member.addBatch();
            }
            app.executeBatch();
            member.executeBatch();
        }
    }
}
