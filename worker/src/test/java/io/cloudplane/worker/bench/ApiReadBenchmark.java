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
        Wrk.binary();
        Path dataDir = Files.createTempDirectory("cloudplane-bench-reads-");
        try (AllInOne cloudplane = new AllInOne(dataDir, Map.of())) {
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
            Wrk.run(bare, token, threads, connections, warmup);
            Wrk.run(appsUrl, token, threads, connections, warmup);
            List<Wrk.Result> bareRuns = new ArrayList<>();
            List<Wrk.Result> appsRuns = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                bareRuns.add(check(Wrk.run(bare, token, threads, connections, seconds)));
                appsRuns.add(check(Wrk.run(appsUrl, token, threads, connections, seconds)));
            }
            System.out.println();
            System.out.printf("wrk -t%d -c%d -d%ds --latency, after %d s of warm-up per endpoint; %d apps; response of GET /apps: %,d bytes%n",
                    threads, connections, seconds, warmup, apps, list.raw().length());
            System.out.println("| endpoint (round) | requests/s | p50 | p90 | p99 | non-2xx | socket errors |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (int round = 0; round < rounds; round++) {
                System.out.println(bareRuns.get(round).row("GET /api/v1/server-versions (" + (round + 1) + ")"));
                System.out.println(appsRuns.get(round).row("GET /api/v1/apps, " + apps + " apps (" + (round + 1) + ")"));
            }
            double bareRate = bareRuns.stream().mapToDouble(Wrk.Result::requestsPerSecond).average().orElseThrow();
            double appsRate = appsRuns.stream().mapToDouble(Wrk.Result::requestsPerSecond).average().orElseThrow();
            double ratio = appsRate / bareRate;
            System.out.printf("%nGET /apps / GET /server-versions: %.2f× (%,.0f / %,.0f requests/s, mean of %d rounds)%n",
                    ratio, appsRate, bareRate, rounds);
            if (ratio < minRatio) {
                throw new IllegalStateException(String.format("GET /apps answers %.2f× of the bare endpoint, below %.2f×", ratio, minRatio));
            }
        }
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
