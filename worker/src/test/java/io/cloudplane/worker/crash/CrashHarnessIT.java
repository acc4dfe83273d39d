package io.cloudplane.worker.crash;

import io.cloudplane.infra.domain.PebbleServers;
import io.cloudplane.infra.runtime.ServerCatalog;
import io.cloudplane.worker.AllInOne;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A crash at any step: every kind of operation runs in the packaged all-in-one, which is killed
 * with SIGKILL at a random moment inside it, then started again on the same data directory. From
 * outside, each operation must reach a terminal state within {@link #BOUND} of the restart, and
 * that state must be true (RUNNING answers, a deletion leaves nothing); then {@link Outside#violations}
 * must find no orphan and no duplicated side effect.
 *
 * <p>A round prepares what every kind needs (its own app or environment each, so that they do not
 * queue behind each other), picks the moment of the kill, and starts each kind at a random offset
 * before it, drawn within that kind's usual span, so that the kill lands at a random step of each.
 * The sandbox's sleep, wake and deletion are timers: the sandbox durations are seconds, and a
 * sandbox kept awake by Studio sessions is let go so that its timer fires at its offset.
 * {@code -Dcloudplane.crash.rounds} (1 in the default build, 20 with {@code -Pchaos}) sets the
 * number of rounds; {@code -Dcloudplane.crash.seed} replays one.
 */
class CrashHarnessIT {
    /** Every operation ends within this of the restart: 60 s asked, 120 s by default on the shared 2-core machine (see docs/reliability.md). */
    static final Duration BOUND = Duration.ofSeconds(Long.getLong("cloudplane.crash.bound-seconds", 120));
    private static final Duration IDLE = Duration.ofSeconds(15);
    private static final Duration DELETE_AFTER = Duration.ofSeconds(20);
    /** How soon after the restart the server of a RUNNING environment answers again (the supervisor starts them at boot). */
    private static final Duration SERVER_BACK_WITHIN = Duration.ofSeconds(60);
    /** Time from the start of the schedule to the kill: the deletion case needs idle + delete-after + its span. */
    private static final long LEAD_MILLIS = 40_000;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Random random;
    private final long seed;
    private AllInOne cloudplane;
    private PebbleServers pebble;
    private Outside outside;
    /** Per kind: crashes injected, and the outcomes the operations reached. */
    private final Map<String, List<String>> outcomes = new LinkedHashMap<>();

    CrashHarnessIT() {
        seed = Long.getLong("cloudplane.crash.seed", System.nanoTime());
        random = new Random(seed);
    }

    @Test
    void everyKindOfOperationReachesATrueTerminalStateAfterASigkillAtARandomMoment() throws Exception {
        int rounds = Integer.getInteger("cloudplane.crash.rounds", 1);
        Path dataDir = Files.createTempDirectory(Path.of("target"), "crash-").toAbsolutePath();
        Path catalog = dataDir.resolve("catalog.yml");
        Files.writeString(catalog, """
                cloudplane:
                  default-server-version: 1.0.0
                  server-versions:
                    - version: 1.0.0
                      command: "%1$s1.0.0"
                    - version: 1.1.0
                      command: "%1$s1.1.0"
                """.formatted(ServerCatalog.BUILTIN_COMMAND));
        int gatewayPort = AllInOne.freePort();
        pebble = PebbleServers.start(gatewayPort); // the domain case's ACME server, validating through the gateway's port
        cloudplane = new AllInOne(dataDir, Map.ofEntries(
                Map.entry("CLOUDPLANE_GATEWAY_PORT", Integer.toString(gatewayPort)),
                Map.entry("CLOUDPLANE_DNS_RESOLVER", pebble.dnsResolver()),
                Map.entry("CLOUDPLANE_DOMAIN_ACME_DIRECTORY", pebble.directoryUrl()),
                Map.entry("CLOUDPLANE_DOMAIN_ACME_TRUST_PEM", pebble.trustPemFile().toString()),
                Map.entry("CLOUDPLANE_DOMAIN_ADDRESSES", "127.0.0.1"),
                Map.entry("CLOUDPLANE_DOMAIN_CHECK_INTERVAL_MIN", "1s"),
                Map.entry("CLOUDPLANE_DOMAIN_CHECK_INTERVAL_MAX", "2s"),
                Map.entry("MICRONAUT_CONFIG_FILES", catalog.toString()),
                Map.entry("CLOUDPLANE_SANDBOX_IDLE_PERIOD", IDLE.toSeconds() + "s"),
                Map.entry("CLOUDPLANE_SANDBOX_DELETE_AFTER", DELETE_AFTER.toSeconds() + "s"),
                Map.entry("CLOUDPLANE_SANDBOX_DELETION_NOTICES", "8s"),
                Map.entry("CLOUDPLANE_METRICS_ENABLED", "false"),
                Map.entry("CLOUDPLANE_DEPLOY_HEALTH_TIMEOUT", "40s")));
        outside = new Outside(cloudplane);
        System.out.println("Crash harness: " + rounds + " round(s), seed " + seed + " (-Dcloudplane.crash.seed to replay), data in " + dataDir);
        try {
            cloudplane.start();
            for (int round = 1; round <= rounds; round++) {
                round(round);
            }
        } finally {
            System.out.println("Crash harness outcomes (seed " + seed + "):");
            outcomes.forEach((kind, list) -> System.out.println("  " + kind + ": " + list.size() + " crashes, " + list));
            cloudplane.stop();
            outside.endLeftovers();
            pebble.close();
        }
    }

    /** One crash: every kind prepared, started at its offset before the kill, then checked after the restart. */
    private void round(int n) throws Exception {
        Round r = new Round(n);
        ScheduledExecutorService keepAwake = Executors.newScheduledThreadPool(1);
        try {
            long preparing = System.currentTimeMillis();
            r.prepare(keepAwake);
            System.out.println("Round " + n + ": prepared in " + (System.currentTimeMillis() - preparing) + " ms");
            List<Case> cases = r.cases();
            long kill = System.currentTimeMillis() + LEAD_MILLIS;
            ScheduledExecutorService starter = Executors.newScheduledThreadPool(4);
            List<String> startFailures = Collections.synchronizedList(new ArrayList<>());
            for (Case c : cases) {
                long offset = 300 + (long) (random.nextDouble() * (c.spanMillis - 300));
                c.offsetMillis = offset;
                long at = kill - offset - c.timerMillis;
                starter.schedule(() -> {
                    c.beganAt = System.currentTimeMillis();
                    try {
                        c.begin.run();
                    } catch (java.io.IOException | InterruptedException e) {
                        // The kill came while the request was in flight (the connection broke, or the starter was shut down
                        // after the kill while the request still waited): whether it was committed is found after the restart.
                        c.cut = true;
                    } catch (Exception | AssertionError e) {
                        startFailures.add(c.kind + ": " + e);
                    }
                }, Math.max(0, at - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            }
            // The waker must be asleep, and not yet deleted, when it is woken: it falls asleep 10 s before the kill.
            starter.schedule(r.waker::letGo, Math.max(0, kill - IDLE.toMillis() - 10_000 - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            Thread.sleep(Math.max(0, kill - System.currentTimeMillis()));
            cloudplane.kill();
            starter.shutdownNow();
            keepAwake.shutdownNow();
            System.out.println("Round " + n + ": killed with SIGKILL; offsets before the kill (ms): "
                    + cases.stream().map(c -> c.kind + "=" + c.offsetMillis).toList());
            if (!startFailures.isEmpty()) {
                fail("Round " + n + ": could not start " + startFailures + "\n" + cloudplane.output());
            }
            restart();
            long deadline = System.currentTimeMillis() + BOUND.toMillis();
            List<String> problems = new ArrayList<>();
            // The sandboxes first: their timers go on after the restart (a sandbox woken falls asleep again IDLE later, one
            // asleep is deleted DELETE_AFTER later), so each is checked while the state its operation left still holds.
            List<Case> inOrder = new ArrayList<>(cases);
            inOrder.sort(java.util.Comparator.comparing(c -> !c.kind.startsWith("sandbox")));
            for (Case c : inOrder) {
                try {
                    String outcome = c.verify.check(deadline);
                    if (c.cut) {
                        outcome = "cut:" + outcome;
                    }
                    outcomes.computeIfAbsent(c.kind, k -> new ArrayList<>()).add(outcome);
                } catch (AssertionError | RuntimeException e) {
                    outcomes.computeIfAbsent(c.kind, k -> new ArrayList<>()).add("WRONG");
                    problems.add(c.kind + " (started " + c.offsetMillis + " ms before the kill): " + e.getMessage());
                }
            }
            List<String> orphans = quiescentViolations();
            if (!problems.isEmpty() || !orphans.isEmpty()) {
                fail("Round " + n + " (seed " + seed + "):\n  " + String.join("\n  ", problems)
                        + (orphans.isEmpty() ? "" : "\n  orphans and duplicates: " + orphans) + "\n--- log after the restart ---\n" + cloudplane.output());
            }
            r.cleanUp();
        } finally {
            keepAwake.shutdownNow();
            r.afterRestart.shutdownNow();
        }
    }

    /** Starts the all-in-one again on the same data directory, plainly, as an operator would after a crash. */
    private void restart() throws Exception {
        cloudplane.start();
    }

    /** The invariants hold once what was running settles; waits a little for background timers that are mid-step. */
    private List<String> quiescentViolations() throws Exception {
        List<String> last = List.of();
        long until = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < until) {
            last = outside.violations();
            if (last.isEmpty()) {
                return last;
            }
            Thread.sleep(1000);
        }
        return last;
    }

    // ---------------------------------------------------------------------------------------------

    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    @FunctionalInterface
    interface Check {
        /** Checks the outcome after the restart, before {@code deadline}; answers the outcome (SUCCEEDED, FAILED, ...). */
        String check(long deadline) throws Exception;
    }

    /** One kind of operation in a round: started {@code offset + timer} before the kill; {@code span}: how long it usually runs. */
    static final class Case {
        final String kind;
        final long spanMillis;
        final long timerMillis;
        final Step begin;
        Check verify;
        long offsetMillis;
        volatile long beganAt;
        /** The request that starts it was cut by the kill. */
        volatile boolean cut;

        Case verifiedBy(Check check) {
            this.verify = check;
            return this;
        }

        Case(String kind, long spanMillis, long timerMillis, Step begin, Check verify) {
            this.kind = kind;
            this.spanMillis = spanMillis;
            this.timerMillis = timerMillis;
            this.begin = begin;
            this.verify = verify;
        }
    }

    /** What one round prepares, starts and checks. */
    final class Round {
        final int n;
        String email;
        String token;
        final Map<String, String> started = new ConcurrentHashMap<>();
        /** Studio sessions after the restart (the woken sandbox's). */
        final ScheduledExecutorService afterRestart = Executors.newSingleThreadScheduledExecutor();
        final List<String> apps = new ArrayList<>();
        // app 1: stop (dev), restart (staging), start (production, stopped first)
        String app1, app1Dev, app1Staging, app1Prod;
        // app 2: code and a release in dev; the promotion goes through staging; a deployment into production; the clone copies it
        String app2, app2Dev, app2Staging, app2Prod, release;
        String marker;
        // app 3: a backup of staging; production restored from a backup taken before more rows were added; a new person
        // invited to its development environment
        String app3, app3Dev, app3Staging, app3Prod, restoreFrom;
        String invitee;
        // app 4 is deleted; app 5: its staging deleted, its dev updated from 1.0.0 to 1.1.0
        String app4, app4Dev, app5, app5Dev, app5Staging;
        // sandboxes: one falls asleep, one wakes, one is deleted
        Sandbox sleeper, waker, deleter;

        Round(int n) {
            this.n = n;
        }

        void prepare(ScheduledExecutorService keepAwake) throws Exception {
            email = "crash-" + n + "-" + UUID.randomUUID() + "@example.com";
            invitee = "crash-invitee-" + n + "-" + UUID.randomUUID() + "@example.com";
            token = signUp(email);

            // Each app, and each sandbox, is prepared on its own thread: they are independent, and most of the time is spent
            // waiting for provisionings and servers, which then overlap.
            ExecutorService preparing = Executors.newCachedThreadPool(); // unbounded: parts wait for parts they submitted
            try {
                List<Future<?>> parts = new ArrayList<>();
                parts.add(preparing.submit(() -> {
                    app1 = app("one");
                    app1Dev = devOf(app1);
                    Future<String> staging = preparing.submit(() -> environment(app1, "staging"));
                    app1Prod = environment(app1, "production");
                    app1Staging = staging.get();
                    succeeded(call("POST", env(app1, app1Prod) + "/stop", null));
                    return null;
                }));
                parts.add(preparing.submit(() -> {
                    app2 = app("two");
                    app2Dev = devOf(app2);
                    Future<String> staging = preparing.submit(() -> environment(app2, "staging"));
                    Future<String> production = preparing.submit(() -> environment(app2, "production"));
                    marker = "crash round " + n + " " + UUID.randomUUID();
                    var upload = HTTP.send(HttpRequest.newBuilder(URI.create(cloudplane.baseUrl() + env(app2, app2Dev) + "/code"))
                            .header("Authorization", "Bearer " + token).header("Content-Type", "application/gzip")
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(Outside.site(marker))).build(), HttpResponse.BodyHandlers.ofString());
                    require(upload.statusCode() == 200, "upload: " + upload.body());
                    var rel = call("POST", "/api/v1/apps/" + app2 + "/releases", Map.of("name", "r" + n, "sourceEnvironmentId", app2Dev));
                    require(rel.status() == 202, rel.raw());
                    succeeded(rel);
                    release = rel.get("id");
                    app2Staging = staging.get();
                    app2Prod = production.get();
                    return null;
                }));
                parts.add(preparing.submit(() -> {
                    app3 = app("three");
                    app3Dev = devOf(app3);
                    Future<String> staging = preparing.submit(() -> environment(app3, "staging"));
                    app3Prod = environment(app3, "production");
                    app3Staging = staging.get();
                    sql(app3Staging, "create table orders (id int primary key, item text)", "insert into orders select g, 'item ' || g from generate_series(1, 2000) g");
                    sql(app3Prod, "create table orders (id int primary key, item text)", "insert into orders values (1, 'teapot'), (2, 'kettle'), (3, 'cup')");
                    var backup = call("POST", env(app3, app3Prod) + "/backups", null);
                    require(backup.status() == 202, backup.raw());
                    restoreFrom = backup.get("id");
                    String done = awaitBackup(app3, app3Prod, restoreFrom, System.currentTimeMillis() + 120_000);
                    require("COMPLETED".equals(done), "the backup to restore from is " + done + ": "
                            + call("GET", env(app3, app3Prod) + "/backups/" + restoreFrom, null).raw());
                    sql(app3Prod, "insert into orders values (4, 'saucer'), (5, 'spoon')");
                    return null;
                }));
                parts.add(preparing.submit(() -> {
                    app4 = app("four");
                    app4Dev = devOf(app4);
                    return null;
                }));
                parts.add(preparing.submit(() -> {
                    app5 = app("five");
                    app5Dev = devOf(app5);
                    app5Staging = environment(app5, "staging");
                    return null;
                }));
                awaitAll(parts);
                // The sandboxes last, so that their short timers do not run out while the rest is prepared; Studio
                // sessions keep them awake until let go.
                awaitAll(List.of(preparing.submit(() -> sleeper = sandbox("sleeper", keepAwake)),
                        preparing.submit(() -> waker = sandbox("waker", keepAwake)),
                        preparing.submit(() -> deleter = sandbox("deleter", keepAwake))));
            } finally {
                preparing.shutdownNow();
            }

            for (Sandbox s : List.of(sleeper, waker, deleter)) {
                var provisioned = cloudplane.awaitOperation(s.created.get("operation.id"), s.token, Duration.ofSeconds(120));
                require("SUCCEEDED".equals(provisioned.get("status")), "preparing a sandbox: " + provisioned.raw());
                // Its idle clock runs from sign-up, and Studio sessions are refused while it provisions: on a busy
                // machine it may have fallen asleep already. Woken, the Studio sessions keep it awake from now on.
                awaitSettled(s);
                if ("SLEEPING".equals(cloudplane.call("GET", env(s.appId, s.envId), s.token, null).get("status"))) {
                    var wake = cloudplane.call("POST", "/api/v1/apps/" + s.appId + "/wake", s.token, null);
                    require(wake.status() == 202, wake.raw());
                    require("SUCCEEDED".equals(cloudplane.awaitOperation(wake.get("id"), s.token, Duration.ofSeconds(120)).get("status")),
                            "waking a sandbox that fell asleep while it was prepared");
                }
            }
            for (Sandbox s : List.of(sleeper, waker, deleter)) {
                awaitSettled(s);
                s.sleepsBefore = outside.count("select count(*) from operations where app_id = ?::uuid and type = 'SLEEP_SANDBOX'", s.appId);
                for (String subject : List.of("is asleep", "is awake", "will be deleted on", "was deleted")) {
                    s.emailsBefore.put(subject, emails(s.email, subject));
                }
            }
        }

        List<Case> cases() {
            List<Case> cases = new ArrayList<>();
            cases.add(operation("provision", "PROVISION_ENVIRONMENT", () -> null, 5000, () -> {
                var created = call("POST", "/api/v1/apps", Map.of("name", "six-" + n));
                require(created.status() == 202, created.raw());
                apps.add(created.get("id"));
                started.put("provision.env", created.get("operation.envId"));
                started.put("provision.app", created.get("id"));
                return created.get("operation.id");
            }, (op, status) -> runningOrFailed(started.get("provision.app"), started.get("provision.env"), status)));
            cases.add(operation("delete environment", "DELETE_ENVIRONMENT", () -> app5, 3000, () -> accepted(call("DELETE", env(app5, app5Staging), null)),
                    (op, status) -> status.equals("SUCCEEDED") ? gone(app5, app5Staging) : runningOrFailed(app5, app5Staging, "FAILED")));
            cases.add(operation("delete application", "DELETE_APPLICATION", () -> app4, 3000, () -> accepted(call("DELETE", "/api/v1/apps/" + app4, null)),
                    (op, status) -> status.equals("SUCCEEDED") ? gone(app4, app4Dev) : "FAILED"));
            cases.add(operation("stop", "STOP_SERVER", () -> app1, 1500, () -> accepted(call("POST", env(app1, app1Dev) + "/stop", null)),
                    (op, status) -> status.equals("SUCCEEDED") ? stopped(app1, app1Dev) : runningOrFailed(app1, app1Dev, status)));
            cases.add(operation("start", "START_SERVER", () -> app1, 3000, () -> accepted(call("POST", env(app1, app1Prod) + "/start", null)),
                    (op, status) -> runningOrFailed(app1, app1Prod, status)));
            cases.add(operation("restart", "RESTART_SERVER", () -> app1, 3000, () -> accepted(call("POST", env(app1, app1Staging) + "/restart", null)),
                    (op, status) -> runningOrFailed(app1, app1Staging, status)));
            Case backupCase = new Case("backup", 5000, 0, () -> {
                var backup = call("POST", env(app3, app3Staging) + "/backups", null);
                require(backup.status() == 202, backup.raw());
                started.put("backup", backup.get("id"));
            }, null);
            cases.add(backupCase.verifiedBy(deadline -> {
                if (started.get("backup") == null && backupCase.cut) {
                    Set<String> ids = outside.strings("select id::text from backups where env_id = ?::uuid and trigger = 'MANUAL' "
                            + "and created_at >= to_timestamp(? / 1000.0) - interval '1 second'", app3Staging, backupCase.beganAt);
                    if (ids.isEmpty()) {
                        return "NOT COMMITTED";
                    }
                    started.put("backup", ids.iterator().next());
                }
                String status = awaitBackup(app3, app3Staging, started.get("backup"), deadline);
                var b = call("GET", env(app3, app3Staging) + "/backups/" + started.get("backup"), null);
                if (status.equals("FAILED")) {
                    require(b.get("failedStep") != null && b.get("error") != null, "a FAILED backup names its step and reason: " + b.raw());
                } else {
                    require(status.equals("COMPLETED"), "backup ended " + status + ": " + b.raw());
                }
                return status;
            }));
            cases.add(operation("restore", "RESTORE_ENVIRONMENT", () -> app3, 7000, () -> accepted(call("POST", env(app3, app3Prod) + "/restores", Map.of("backupId", restoreFrom))),
                    (op, status) -> {
                        String outcome = runningOrFailed(app3, app3Prod, status);
                        long rows = rows(app3Prod);
                        require(status.equals("SUCCEEDED") ? rows == 3 : rows == 5 || outcome.equals("FAILED"),
                                "after a restore that " + status + ", the database has " + rows + " rows");
                        return status;
                    }));
            cases.add(operation("deploy", "DEPLOY_RELEASE", () -> app2, 7000, () -> {
                var d = call("POST", env(app2, app2Prod) + "/deployments", Map.of("releaseId", release));
                require(d.status() == 202, d.raw());
                return d.get("operation.id");
            }, (op, status) -> {
                String outcome = runningOrFailed(app2, app2Prod, status);
                if (status.equals("SUCCEEDED")) {
                    require(body(preview(app2, app2Prod), tokenFor(app2)).contains(marker), "the deployed release is served");
                }
                return outcome;
            }));
            Case promotionCase = new Case("promotion", 7000, 0, () -> {
                var p = call("POST", "/api/v1/apps/" + app2 + "/promotions", Map.of("releaseId", release));
                require(p.status() == 202, p.raw());
                started.put("promotion", p.get("id"));
            }, null);
            cases.add(promotionCase.verifiedBy(deadline -> {
                if (started.get("promotion") == null && promotionCase.cut) {
                    Set<String> ids = outside.strings("select id::text from promotions where app_id = ?::uuid "
                            + "and created_at >= to_timestamp(? / 1000.0) - interval '1 second'", app2, promotionCase.beganAt);
                    if (ids.isEmpty()) {
                        return "NOT COMMITTED";
                    }
                    started.put("promotion", ids.iterator().next());
                }
                String path = "/api/v1/apps/" + app2 + "/promotions/" + started.get("promotion");
                var p = await("promotion").atMost(remaining(deadline)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> call("GET", path, null), x -> !"DEPLOYING_STAGING".equals(x.get("status")));
                String status = p.get("status");
                if (status.equals("AWAITING_APPROVAL")) {
                    // As for the other kinds: after the restart the supervisor starts staging's server again in the background,
                    // so it serves within a bound, not at the first instant (a CI run read its "not serving" page).
                    String stagingPreview = preview(app2, app2Staging);
                    require(answersWithin(stagingPreview + "_health", tokenFor(app2), SERVER_BACK_WITHIN), "staging does not answer within "
                            + SERVER_BACK_WITHIN);
                    require(body(stagingPreview, tokenFor(app2)).contains(marker), "staging serves the promoted release");
                    // Rejected, or, when the restart lost its workflow, refused with that reason, then FAILED by the recovery.
                    var rejected = call("POST", path + "/reject", Map.of("comment", "crash harness"));
                    if (rejected.status() != 200) {
                        require(rejected.status() == 409 && rejected.raw().contains("workflow is gone"),
                                "rejected, or refused as its workflow is gone: " + rejected.raw());
                        var failed = await("promotion FAILED").atMost(remaining(deadline)).pollInterval(Duration.ofMillis(500))
                                .ignoreExceptions().until(() -> call("GET", path, null), x -> "FAILED".equals(x.get("status")));
                        require(failed.raw().contains("workflow is gone"), "promotion: " + failed.raw());
                        return "FAILED";
                    }
                } else {
                    require(status.equals("FAILED") && p.raw().contains("error"), "promotion: " + p.raw());
                }
                return status;
            }));
            cases.add(invitation());
            cases.add(domain());
            cases.add(provisionCancelled());
            cases.add(operation("clone", "CLONE_APPLICATION", () -> null, 6000, () -> {
                var c = call("POST", "/api/v1/apps/" + app2 + "/clone", Map.of("name", "clone-" + n));
                require(c.status() == 202, c.raw());
                apps.add(c.get("id"));
                started.put("clone.app", c.get("id"));
                started.put("clone.env", c.get("operation.envId"));
                return c.get("operation.id");
            }, (op, status) -> {
                if (status.equals("SUCCEEDED")) {
                    runningOrFailed(started.get("clone.app"), started.get("clone.env"), status);
                    require(body(preview(started.get("clone.app"), started.get("clone.env")), tokenFor(started.get("clone.app"))).contains(marker), "the clone serves the code");
                }
                return status;
            }));
            cases.add(operation("server update", "UPDATE_SERVER", () -> app5, 5000, () -> {
                var u = call("POST", env(app5, app5Dev) + "/update", Map.of("version", "1.1.0"));
                require(u.status() == 202, u.raw());
                return u.get("operation.id");
            }, (op, status) -> {
                String outcome = runningOrFailed(app5, app5Dev, status);
                String version = call("GET", env(app5, app5Dev), null).get("serverVersion");
                require(status.equals("SUCCEEDED") ? "1.1.0".equals(version) : true, "updated, yet version " + version);
                return outcome;
            }));
            // Timers: the sleeper is let go IDLE before its offset; the waker sleeps well before and is woken at its offset;
            // the deleter is let go IDLE + DELETE_AFTER before its offset.
            cases.add(new Case("sandbox sleep", 2000, IDLE.toMillis(), () -> sleeper.letGo(), deadline -> {
                // Asleep, or already gone on to its deletion: the lifecycle deletes a sandbox DELETE_AFTER after it fell asleep,
                // which is shorter than a restart on a loaded machine, so a sleep done just before the kill may be followed by
                // the deletion as soon as the all-in-one is back. The sleep's operation, server and email are checked below.
                await("environment " + sleeper.envId + " SLEEPING, or the sandbox deleted after its sleep").atMost(remaining(deadline))
                        .pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> "SLEEPING".equals(cloudplane.call("GET", env(sleeper.appId, sleeper.envId), sleeper.token, null)
                                .get("status")) || deletedAfterItsSleep(sleeper));
                // The environment reads SLEEPING a moment before its operation is SUCCEEDED: the sleep sends its email before
                // it records SUCCEEDED, so that a kill between the two carries the sleep on without a second email.
                java.util.concurrent.atomic.AtomicReference<List<Map<String, Object>>> ops = new java.util.concurrent.atomic.AtomicReference<>();
                try {
                    await("one more SUCCEEDED sleep").atMost(remaining(deadline)).pollInterval(Duration.ofMillis(200))
                            .until(() -> {
                                ops.set(outside.rows("select status, error from operations where app_id = ?::uuid "
                                        + "and type = 'SLEEP_SANDBOX' order by created_at", sleeper.appId));
                                List<Map<String, Object>> rows = ops.get();
                                return rows.size() != sleeper.sleepsBefore + 1 || !"RUNNING".equals(rows.get(rows.size() - 1).get("status"))
                                        && !"PENDING".equals(rows.get(rows.size() - 1).get("status"));
                            });
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("one more SUCCEEDED sleep, still unfinished: " + ops.get(), e);
                }
                require(ops.get().size() == sleeper.sleepsBefore + 1 && "SUCCEEDED".equals(ops.get().get(ops.get().size() - 1).get("status")),
                        "one more SUCCEEDED sleep: " + ops.get());
                require(outside.serverProcesses().get(sleeper.envId) == null, "a sleeping sandbox has no server");
                await("the asleep email").atMost(remaining(deadline)).until(() -> sleeper.newEmails("is asleep") == 1);
                return "SUCCEEDED";
            }));
            Case wakeCase = new Case("sandbox wake", 3000, 0, () -> {
                var wake = cloudplane.call("POST", "/api/v1/apps/" + waker.appId + "/wake", waker.token, null);
                require(wake.status() == 202, wake.raw());
                started.put("wake", wake.get("id"));
            }, null);
            cases.add(wakeCase.verifiedBy(deadline -> {
                if (started.get("wake") == null && wakeCase.cut) {
                    Map<String, Object> row = committed("WAKE_SANDBOX", waker.appId, wakeCase.beganAt, deadline);
                    if (row == null) {
                        return "NOT COMMITTED";
                    }
                    started.put("wake", (String) row.get("id"));
                }
                String status = awaitOperation(started.get("wake"), deadline);
                if (status.equals("FAILED")) {
                    var o = cloudplane.call("GET", "/api/v1/operations/" + started.get("wake"), waker.token, null);
                    require(o.get("error") != null, "a FAILED wake says why: " + o.raw());
                    return "FAILED (" + o.get("error") + ")";
                }
                if (status.equals("SUCCEEDED")) {
                    // Woken, it is used again: otherwise it would fall asleep IDLE later, a second "is asleep" email the
                    // duplicate check could not tell from a repeat.
                    keepAwake(waker, afterRestart);
                    runningOrFailed(waker.appId, waker.envId, status);
                    await("the awake email").atMost(remaining(deadline)).until(() -> waker.newEmails("is awake") == 1);
                }
                return status;
            }));
            cases.add(new Case("sandbox deletion", 3000, IDLE.toMillis() + DELETE_AFTER.toMillis(), () -> deleter.letGo(), deadline -> {
                await("the sandbox's deletion").atMost(remaining(deadline)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> cloudplane.call("GET", "/api/v1/apps/" + deleter.appId, deleter.token, null).status() == 404);
                gone(deleter.appId, deleter.envId);
                await("the deleted email").atMost(remaining(deadline)).until(() -> deleter.newEmails("was deleted") == 1);
                require(deleter.newEmails("will be deleted on") == 1, "one notice");
                return "SUCCEEDED";
            }));
            return cases;
        }

        /**
         * The owner invites a new person to app 3's development environment: the kill lands before, during or after the
         * request and the email of its {@code invitation/<id>} workflow. A committed invitation is PENDING, its one email
         * (keyed in sent_mail) is in the outbox, the token it carries is usable, and signing up with it makes the person a
         * developer of the app; an invitation never committed left no row and no email.
         */
        /**
         * The owner adds a custom domain to app 3's staging and sets its records at the DNS test server as soon as the
         * answer gives the token: the kill lands before the request commits, while its {@code domain/<id>} workflow checks
         * the DNS, or while Pebble's order and its HTTP-01 fetch through the gateway are under way. A committed domain
         * (its workflow started again by the recovery, the embedded Temporal having forgotten it) becomes ACTIVE with
         * a certificate from Pebble, and stays one row; one never committed left no row.
         */
        Case domain() {
            Case[] self = new Case[1];
            String hostname = "www.crash-" + n + "-" + UUID.randomUUID().toString().substring(0, 8) + ".test";
            self[0] = new Case("domain", 4000, 0, () -> {
                pebble.addA(hostname, "127.0.0.1");
                var created = call("POST", env(app3, app3Staging) + "/domains", Map.of("hostname", hostname));
                require(created.status() == 201, "domain: " + created.raw());
                started.put("domain", created.get("id"));
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> records = (List<Map<String, Object>>) created.body().get("records");
                pebble.setTxt("_cloudplane-challenge." + hostname, (String) records.stream()
                        .filter(r -> "TXT".equals(r.get("type"))).findFirst().orElseThrow().get("value"));
            }, deadline -> {
                Set<String> ids = outside.strings("select id::text from domains where hostname = ?", hostname);
                if (started.get("domain") == null) {
                    require(self[0].cut, "the domain was never added");
                    if (ids.isEmpty()) {
                        return "NOT COMMITTED";
                    }
                    // committed, but its answer (and so the token) was cut: the owner reads it and sets the record now
                    String id = ids.iterator().next();
                    started.put("domain", id);
                    pebble.setTxt("_cloudplane-challenge." + hostname, outside.strings(
                            "select challenge_token from domains where id = ?::uuid", id).iterator().next());
                }
                require(ids.size() == 1, "one row for " + hostname + ", not " + ids);
                String path = env(app3, app3Staging) + "/domains/" + started.get("domain");
                var active = await("domain " + hostname + " ACTIVE").atMost(remaining(deadline)).pollInterval(Duration.ofMillis(500))
                        .ignoreExceptions().until(() -> call("GET", path, null), d -> "ACTIVE".equals(d.get("status")));
                require("ACME".equals(active.get("certificate.source")) && active.<String>get("certificate.issuer").toLowerCase().contains("pebble"),
                        "a certificate from Pebble: " + active.raw());
                return "ACTIVE";
            });
            return self[0];
        }

        Case invitation() {
            Case[] self = new Case[1];
            self[0] = new Case("invitation", 2500, 0, () -> {
                var invited = call("POST", env(app3, app3Dev) + "/members",
                        Map.of("email", invitee, "firstName", "Ivy", "lastName", "Invited", "profile", "user"));
                require(invited.status() == 201, "invite: " + invited.raw());
                require("PENDING".equals(invited.get("status")) && "DEVELOPER".equals(invited.get("kind")), "invite: " + invited.raw());
                started.put("invitation", invited.get("id"));
            }, deadline -> {
                if (started.get("invitation") == null) {
                    require(self[0].cut, "the invitation was never started");
                    Set<String> ids = outside.strings("select id::text from invitations where env_id = ?::uuid and lower(email) = lower(?)",
                            app3Dev, invitee);
                    if (ids.isEmpty()) {
                        require(outside.invitationTokens(invitee).isEmpty(), "an invitation never committed, yet emails to "
                                + invitee + ": " + outside.invitationTokens(invitee));
                        return "NOT COMMITTED";
                    }
                    started.put("invitation", ids.iterator().next());
                }
                String id = started.get("invitation");
                List<Map<String, Object>> pending = call("GET", env(app3, app3Dev) + "/members", null).get("invitations");
                require(pending.stream().anyMatch(i -> id.equals(i.get("id")) && "PENDING".equals(i.get("status"))),
                        "invitation " + id + " PENDING, yet the environment's invitations are " + pending);
                // Its workflow (or the recovery's run, for one the restart lost) sends the email once: the outbox holds it and
                // its sent_mail key says it went.
                try {
                    await("the invitation email to " + invitee).atMost(remaining(deadline)).pollInterval(Duration.ofMillis(200))
                            .until(() -> !outside.invitationTokens(invitee).isEmpty()
                                    && outside.count("select count(*) from sent_mail where mail_key like ?", "invitation/" + id + "/%") > 0);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("invitation " + id + ": no email within the bound (outbox: " + outside.invitationTokens(invitee)
                            + ", sent_mail: " + outside.strings("select mail_key from sent_mail where mail_key like ?", "invitation/" + id + "/%")
                            + ")", e);
                }
                List<String> tokens = outside.invitationTokens(invitee);
                require(tokens.size() == 1, "one invitation email to " + invitee + ", not " + tokens.size());
                require(outside.count("select count(*) from sent_mail where mail_key like ?", "invitation/" + id + "/%") == 1,
                        "one sent_mail key for invitation " + id);
                String mailed = tokens.get(0);
                var shown = cloudplane.call("GET", "/api/v1/invitations/" + mailed, null, null);
                require(shown.status() == 200 && "PENDING".equals(shown.get("status")), "the mailed token: " + shown.raw());
                var account = cloudplane.call("POST", "/api/v1/accounts", null, Map.of("email", invitee, "password", "correct-horse-battery",
                        "firstName", "Ivy", "lastName", "Invited", "invitationToken", mailed));
                require(account.status() == 201, "sign-up with the mailed token: " + account.raw());
                String ivy = cloudplane.call("POST", "/api/v1/sessions", null, Map.of("email", invitee, "password", "correct-horse-battery"))
                        .get("accessToken");
                List<Map<String, Object>> shared = cloudplane.call("GET", "/api/v1/apps", ivy, null).get("shared");
                require(shared.stream().anyMatch(a -> app3.equals(a.get("id")) && "developer".equals(a.get("role"))),
                        "the invitee signed up is a developer of app " + app3 + ", yet shared is " + shared);
                List<Map<String, Object>> members = call("GET", env(app3, app3Dev) + "/members", null).get("members");
                require(members.stream().anyMatch(m -> invitee.equalsIgnoreCase((String) m.get("email")) && "developer".equals(m.get("kind"))),
                        "the invitee is listed as a developer: " + members);
                return "ACCEPTED";
            });
            return self[0];
        }

        /** An operation-backed kind: {@code begin} answers the operation's ID; {@code check} gets its terminal status. */
        /**
         * The owner creates an application and at once asks to cancel its provisioning (issue 18): the kill lands before
         * the create commits, between the create and the cancel, while the cancel is asked, or while the workflow cleans
         * up. After the restart the operation ends CANCELLED (its environment FAILED saying so, with no database, role or
         * folder left), or SUCCEEDED (the cancel came after the server, or never came), or FAILED with its reason; and the
         * round's orphan check finds nothing of it left over.
         */
        Case provisionCancelled() {
            Case[] self = new Case[1];
            String name = "cancel-" + n;
            self[0] = new Case("provision cancelled", 3000, 0, () -> {
                var created = call("POST", "/api/v1/apps", Map.of("name", name));
                require(created.status() == 202, "provision cancelled: " + created.raw());
                apps.add(created.get("id"));
                started.put("cancel.app", created.get("id"));
                started.put("cancel.env", created.get("operation.envId"));
                started.put("cancel.op", created.get("operation.id"));
                // 202; or 409 while its workflow has not started yet (asked again), or once it is past its server (too late)
                for (int tries = 0; tries < 60; tries++) {
                    var cancel = call("POST", "/api/v1/operations/" + created.get("operation.id") + "/cancel", null);
                    require(cancel.status() == 202 || cancel.status() == 409, "cancel: " + cancel.raw());
                    if (cancel.status() == 202) {
                        started.put("cancel.asked", "true");
                        break;
                    }
                    var op = call("GET", "/api/v1/operations/" + created.get("operation.id"), null);
                    if (!"PENDING".equals(op.get("status")) && (!"RUNNING".equals(op.get("status")) || op.raw().contains("start-server"))) {
                        break; // ended, or past its server: too late to cancel
                    }
                    Thread.sleep(50);
                }
            }, deadline -> {
                if (started.get("cancel.op") == null) {
                    Set<String> ids = outside.strings("select id::text from apps where name = ?", name);
                    if (ids.isEmpty()) {
                        require(self[0].cut, "the app was never created");
                        return "NOT COMMITTED";
                    }
                    String app = ids.iterator().next();
                    apps.add(app);
                    started.put("cancel.app", app);
                    started.put("cancel.env", outside.strings("select id::text from environments where app_id = ?::uuid", app).iterator().next());
                    started.put("cancel.op", outside.strings("select id::text from operations where app_id = ?::uuid "
                            + "and type = 'PROVISION_ENVIRONMENT'", app).iterator().next());
                }
                String status = awaitOperation(started.get("cancel.op"), deadline);
                String app = started.get("cancel.app");
                String envId = started.get("cancel.env");
                if (status.equals("CANCELLED")) {
                    var env = call("GET", env(app, envId), null);
                    String reason = env.get("statusReason");
                    require("FAILED".equals(env.get("status")) && reason != null && reason.contains("cancelled"),
                            "a cancelled provisioning leaves its environment FAILED, saying so: " + env.raw());
                    String db = "env_" + envId.replace("-", "");
                    require(outside.count("select count(*) from pg_database where datname = ?", db) == 0, "database " + db + " left");
                    require(outside.count("select count(*) from pg_roles where rolname = ?", db) == 0, "role " + db + " left");
                    require(outside.serverProcesses().get(envId) == null, "a cancelled provisioning left a server process");
                    return status;
                }
                if (status.equals("FAILED")) {
                    var o = call("GET", "/api/v1/operations/" + started.get("cancel.op"), null);
                    require(o.get("error") != null && !o.<String>get("error").isBlank(), "a FAILED operation says why: " + o.raw());
                }
                // SUCCEEDED after an accepted cancel: the cancel came past the server, or (the all-in-one's Temporal is in the
                // killed process) the request was lost with it and the reconciler ran the provisioning again: said, not hidden
                return runningOrFailed(app, envId, status) + ("true".equals(started.get("cancel.asked")) ? " (cancel accepted before)" : "");
            });
            return self[0];
        }

        Case operation(String kind, String type, java.util.function.Supplier<String> appOf, long span, Callable<String> begin,
                       OutcomeCheck check) {
            Case[] self = new Case[1];
            self[0] = new Case(kind, span, 0, () -> started.put(kind, begin.call()), deadline -> {
                String op = started.get(kind);
                if (op == null && self[0].cut) {
                    Map<String, Object> row = committed(type, appOf.get(), self[0].beganAt, deadline);
                    if (row == null) {
                        return "NOT COMMITTED";
                    }
                    op = (String) row.get("id");
                    started.put(kind, op);
                    if (appOf.get() == null) {
                        apps.add((String) row.get("app"));
                    }
                    started.put(kind + ".app", (String) row.get("app"));
                    started.put(kind + ".env", String.valueOf(row.get("env")));
                }
                String status = awaitOperation(op, deadline);
                if (status.equals("FAILED")) {
                    var o = call("GET", "/api/v1/operations/" + op, null);
                    require(o.get("error") != null && !o.<String>get("error").isBlank(), "a FAILED operation says why: " + o.raw());
                }
                check.check(op, status);
                return status;
            });
            return self[0];
        }

        /**
         * The operation of {@code type} that a cut request committed, if it did: on {@code app}, or (for a
         * new app) asked by this round's user, since {@code since}. Waits a little: the reconciler may be starting it.
         */
        Map<String, Object> committed(String type, String app, long since, long deadline) throws Exception {
            List<Map<String, Object>> rows = outside.rows("select o.id::text as id, o.app_id::text as app, o.env_id::text as env "
                    + "from operations o where o.type = ? and o.created_at >= to_timestamp(? / 1000.0) - interval '1 second' "
                    + "and (o.app_id::text = ? or o.user_id = (select id from users where lower(email) = lower(?)))",
                    type, since, app == null ? "" : app, app == null ? email : "");
            return rows.isEmpty() ? null : rows.get(0);
        }

        void cleanUp() throws Exception {
            for (String app : List.of(app1, app2, app3, app5)) {
                accepted(call("DELETE", "/api/v1/apps/" + app, null));
            }
            for (String app : apps) {
                if (call("GET", "/api/v1/apps/" + app, null).status() == 200) {
                    call("DELETE", "/api/v1/apps/" + app, null);
                }
            }
            for (String app : List.of(app1, app2, app3, app5)) {
                await("app " + app + " deleted").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .until(() -> call("GET", "/api/v1/apps/" + app, null).status() == 404);
            }
        }

        // --- helpers ---

        /**
         * The sandbox's lifecycle deleted it after a SUCCEEDED sleep: its row is gone, and a deletion by the system (no
         * actor) began after that sleep ended.
         */
        boolean deletedAfterItsSleep(Sandbox s) throws Exception {
            return outside.count("select count(*) from apps where id = ?::uuid", s.appId) == 0
                    && outside.count("select count(*) from operations d join operations z on z.app_id = d.app_id "
                    + "where d.app_id = ?::uuid and d.type = 'DELETE_APPLICATION' and d.user_id is null and d.status = 'SUCCEEDED' "
                    + "and z.type = 'SLEEP_SANDBOX' and z.status = 'SUCCEEDED' and d.created_at >= z.updated_at", s.appId) > 0;
        }

        /** Waits until no operation runs on the sandbox (a sleep may have begun as its provisioning ended). */
        void awaitSettled(Sandbox s) {
            await("sandbox " + s.appId + " settled").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> outside.count("select count(*) from operations where app_id = ?::uuid and status in ('PENDING','RUNNING')",
                            s.appId) == 0);
        }

        Sandbox sandbox(String who, ScheduledExecutorService keepAwake) throws Exception {
            String address = "crash-" + who + "-" + n + "-" + UUID.randomUUID() + "@example.com";
            var account = cloudplane.call("POST", "/api/v1/accounts", null,
                    Map.of("email", address, "password", "correct-horse-battery", "firstName", "Sam", "lastName", who));
            require(account.status() == 201, account.raw());
            String sandboxToken = cloudplane.call("POST", "/api/v1/sessions", null,
                    Map.of("email", address, "password", "correct-horse-battery")).get("accessToken");
            Sandbox s = new Sandbox(address, sandboxToken, account.get("sandboxAppId"), account.get("operation.envId"), account);
            s.outside = outside;
            keepAwake(s, keepAwake);
            return s;
        }

        void awaitAll(List<? extends Future<?>> parts) throws Exception {
            for (Future<?> part : parts) {
                try {
                    part.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        }

        /** Studio sessions every 1.5 s keep the sandbox awake until {@link Sandbox#letGo}. */
        void keepAwake(Sandbox s, ScheduledExecutorService keepAwake) {
            s.keepAwake = keepAwake.scheduleWithFixedDelay(() -> {
                try {
                    cloudplane.call("POST", "/api/v1/apps/" + s.appId + "/environments/" + s.envId + "/studio-sessions", s.token, null);
                } catch (Exception e) {
                    // the all-in-one is being killed or restarted
                }
            }, 0, 1500, TimeUnit.MILLISECONDS);
        }

        String app(String name) throws Exception {
            var created = call("POST", "/api/v1/apps", Map.of("name", name + "-" + n));
            require(created.status() == 202, created.raw());
            succeeded(created);
            return created.get("id");
        }

        String devOf(String app) throws Exception {
            var envs = call("GET", "/api/v1/apps/" + app + "/environments", null);
            List<Map<String, Object>> items = envs.get("items");
            return (String) items.get(0).get("id");
        }

        String environment(String app, String type) throws Exception {
            var created = call("POST", "/api/v1/apps/" + app + "/environments", Map.of("name", type, "type", type));
            require(created.status() == 202, created.raw());
            succeeded(created);
            return created.get("id");
        }

        void succeeded(AllInOne.Response accepted) throws Exception {
            String op = accepted.get("operation.id") != null ? accepted.get("operation.id") : accepted.get("id");
            var done = cloudplane.awaitOperation(op, token, Duration.ofSeconds(120));
            require("SUCCEEDED".equals(done.get("status")), "preparing: " + done.raw());
        }

        String accepted(AllInOne.Response response) {
            require(response.status() == 202, response.raw());
            return response.get("id");
        }

        AllInOne.Response call(String method, String path, Object body) throws Exception {
            return cloudplane.call(method, path, token, body);
        }

        String awaitOperation(String op, long deadline) {
            require(op != null, "the operation was never started");
            String caller = op.equals(started.get("wake")) ? waker.token : token;
            var done = await("operation " + op).atMost(remaining(deadline)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> cloudplane.call("GET", "/api/v1/operations/" + op, caller, null),
                            o -> List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(o.<String>get("status")));
            return done.get("status");
        }

        String awaitBackup(String app, String envId, String backup, long deadline) {
            return await("backup " + backup).atMost(remaining(deadline)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> call("GET", env(app, envId) + "/backups/" + backup, null).<String>get("status"),
                            s -> "COMPLETED".equals(s) || "FAILED".equals(s));
        }

        void awaitStatus(String app, String envId, String status, long deadline) {
            await("environment " + envId + " " + status).atMost(remaining(deadline)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> status.equals(cloudplane.call("GET", env(app, envId), tokenFor(app), null).get("status")));
        }

        String tokenFor(String app) {
            for (Sandbox s : List.of(sleeper, waker, deleter)) {
                if (s.appId.equals(app)) {
                    return s.token;
                }
            }
            return token;
        }

        /** Whether {@code url} answers 200 within {@code bound}, polled every 200 ms. */
        boolean answersWithin(String url, String token, Duration bound) throws InterruptedException {
            long end = System.nanoTime() + bound.toNanos();
            do {
                try {
                    if (io.cloudplane.worker.GatewayClient.status(url, token) == 200) {
                        return true;
                    }
                } catch (Exception notYet) {
                    // not listening yet
                }
                Thread.sleep(200);
            } while (System.nanoTime() < end);
            return false;
        }

        /** SUCCEEDED: the environment is RUNNING and answers. FAILED: the environment is RUNNING and answers, or FAILED with a reason. */
        String runningOrFailed(String app, String envId, String status) throws Exception {
            var env = cloudplane.call("GET", env(app, envId), tokenFor(app), null);
            String envStatus = env.status() == 404 ? null : env.get("status"); // a problem's status is its HTTP code
            if (status.equals("SUCCEEDED") || "RUNNING".equals(envStatus)) {
                require("RUNNING".equals(envStatus), "after " + status + " the environment is " + env.raw());
                String preview = env.get("urls.preview");
                // After the restart the supervisor starts the servers of RUNNING environments again in the background, one
                // after the other: a server answers within a bound, not at the first instant the all-in-one is ready.
                require(answersWithin(preview + "_health", tokenFor(app), SERVER_BACK_WITHIN), "RUNNING, yet " + preview + " does not answer within "
                        + SERVER_BACK_WITHIN);
                return status;
            }
            require("FAILED".equals(envStatus) || "STOPPED".equals(envStatus) || env.status() == 404,
                    "after a FAILED operation the environment is " + env.raw());
            if ("FAILED".equals(envStatus)) {
                require(env.get("statusReason") != null, "FAILED says why: " + env.raw());
            }
            return status;
        }

        String stopped(String app, String envId) throws Exception {
            var env = call("GET", env(app, envId), null);
            require("STOPPED".equals(env.get("status")), "stopped, yet " + env.raw());
            require(outside.serverProcesses().get(envId) == null, "a STOPPED environment has no server process");
            return "SUCCEEDED";
        }

        /** A deleted environment has no database, role, folder, process or stored object left. */
        String gone(String app, String envId) throws Exception {
            String db = "env_" + envId.replace("-", "");
            require(outside.count("select count(*) from pg_database where datname = ?", db) == 0, "database " + db + " left");
            require(outside.count("select count(*) from pg_roles where rolname = ?", db) == 0, "role " + db + " left");
            require(outside.count("select count(*) from environments where id = ?::uuid", envId) == 0, "environment row left");
            require(!Files.exists(cloudplane.dataDir().resolve("environments").resolve(envId)), "folder of " + envId + " left");
            require(outside.serverProcesses().get(envId) == null, "server process of " + envId + " left");
            List<String> objects = outside.objectKeys().stream().filter(k -> k.contains("/" + envId + "/")).toList();
            require(objects.isEmpty(), "objects of " + envId + " left: " + objects);
            return "SUCCEEDED";
        }

        String preview(String app, String envId) throws Exception {
            return cloudplane.call("GET", env(app, envId), tokenFor(app), null).get("urls.preview");
        }

        long emails(String address, String subject) throws Exception {
            return outside.emails().stream().filter(e -> e.startsWith(address + " |") && e.contains(subject)).count();
        }

        void sql(String envId, String... statements) throws Exception {
            String role = "env_" + envId.replace("-", "");
            try (Connection c = outside.connect(role); var s = c.createStatement()) {
                s.execute("set role " + role); // the environment's tables are its role's, as its server would make them
                for (String statement : statements) {
                    s.execute(statement);
                }
            }
        }

        long rows(String envId) throws Exception {
            try (Connection c = outside.connect("env_" + envId.replace("-", "")); var s = c.createStatement();
                 var rs = s.executeQuery("select count(*) from orders")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** A sandbox account, kept awake by Studio sessions until {@link #letGo}. */
    static final class Sandbox {
        final String email;
        final String token;
        final String appId;
        final String envId;
        final AllInOne.Response created;
        volatile java.util.concurrent.ScheduledFuture<?> keepAwake;
        /** What happened to it while it was prepared: its sleeps, and its emails by subject. */
        long sleepsBefore;
        final Map<String, Long> emailsBefore = new ConcurrentHashMap<>();
        Outside outside;

        long newEmails(String subject) throws Exception {
            long now = outside.emails().stream().filter(e -> e.startsWith(email + " |") && e.contains(subject)).count();
            return now - emailsBefore.getOrDefault(subject, 0L);
        }

        Sandbox(String email, String token, String appId, String envId, AllInOne.Response created) {
            this.email = email;
            this.token = token;
            this.appId = appId;
            this.envId = envId;
            this.created = created;
        }

        void letGo() {
            keepAwake.cancel(false);
        }
    }

    @FunctionalInterface
    interface Callable<T> {
        T call() throws Exception;
    }

    @FunctionalInterface
    interface OutcomeCheck {
        String check(String operationId, String status) throws Exception;
    }

    private String signUp(String address) throws Exception {
        var account = cloudplane.call("POST", "/api/v1/accounts", null,
                Map.of("email", address, "password", "correct-horse-battery", "firstName", "Casey", "lastName", "Crash"));
        require(account.status() == 201, account.raw());
        return cloudplane.call("POST", "/api/v1/sessions", null, Map.of("email", address, "password", "correct-horse-battery")).get("accessToken");
    }

    private static String env(String app, String envId) {
        return "/api/v1/apps/" + app + "/environments/" + envId;
    }

    private static Duration remaining(long deadline) {
        // Past the deadline, one last look (Awaitility wants more than its poll interval).
        return Duration.ofMillis(Math.max(500, deadline - System.currentTimeMillis()));
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    /** The page at an environment's URL, through the gateway, for {@code token}'s holder. */
    private static String body(String url, String token) throws Exception {
        return io.cloudplane.worker.GatewayClient.get(url, token).body();
    }

}
