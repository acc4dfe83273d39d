package io.cloudplane.worker.bench;

import io.cloudplane.infra.database.DatabaseProvisioner;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.metrics.MetricsCollector;
import io.cloudplane.infra.metrics.MetricsStore;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.runtime.EnvironmentRuntime;
import io.cloudplane.infra.runtime.HealthReport;
import io.cloudplane.infra.runtime.ServerEndpoint;
import io.cloudplane.infra.runtime.ServerSample;
import io.cloudplane.infra.runtime.ServerSpec;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.context.ApplicationContext;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code ./mvnw -Pbench verify}: the metrics collector's cost per cycle for
 * {@code bench.metrics.environments} (default 1,000) RUNNING environments, each with a real
 * database on the embedded PostgreSQL and a resources folder holding one file. The servers' CPU and
 * memory come from {@link SimulatedFiguresRuntime}, a runtime adapter that makes the figures up
 * (a thousand real servers do not fit on this machine); the database sizes, the resource folders
 * and the batch inserts are real.
 */
public final class MetricsBenchmark {
    private MetricsBenchmark() {
    }

    /** Simulates the figures of running servers: nothing runs. Only {@link #sample} is meant to be called. */
    static final class SimulatedFiguresRuntime implements EnvironmentRuntime {
        private long calls;

        @Override
        public Map<String, ServerSample> sample(Collection<String> envIds) {
            calls++;
            Map<String, ServerSample> result = new HashMap<>();
            for (String id : envIds) {
                int h = Math.abs(id.hashCode());
                result.put(id, new ServerSample((h % 1000) / 10.0, 64L * 1024 * 1024 + h % 1_000_000, (long) h % 10_000, (long) h % 20_000));
            }
            return result;
        }

        @Override public ServerEndpoint start(ServerSpec spec) { throw new UnsupportedOperationException("simulated"); }
        @Override public void stop(String envId) { throw new UnsupportedOperationException("simulated"); }
        @Override public boolean isRunning(String envId) { return true; }
        @Override public HealthReport checkHealth(String envId) { return new HealthReport(true, true, "simulated"); }
        @Override public String recentOutput(String envId) { return ""; }
        @Override public List<String> tailLog(String envId, int lines) { return List.of(); }
        @Override public InputStream openLog(String envId) { return InputStream.nullInputStream(); }
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.getInteger("bench.metrics.environments", 1000);
        int cycles = Integer.getInteger("bench.metrics.cycles", 10);
        Path dataDir = Files.createTempDirectory("cloudplane-bench-metrics");
        try (ApplicationContext ctx = ApplicationContext.run(Map.of(
                "cloudplane.data-dir", dataDir.toString(),
                "micronaut.server.port", -1,
                "cloudplane.gateway.enabled", false, // not measured here (and its two listeners need no ports)
                "cloudplane.embedded.temporal.port", 0,
                "cloudplane.embedded.postgres.port", 0,
                "cloudplane.reconcile.enabled", false,
                "cloudplane.sandbox.recovery.enabled", false,
                "cloudplane.backup.recovery.enabled", false,
                "cloudplane.promotion.recovery.enabled", false,
                "cloudplane.metrics.enabled", false))) {
            EnvironmentRepository environments = ctx.getBean(EnvironmentRepository.class);
            DatabaseProvisioner databases = ctx.getBean(DatabaseProvisioner.class);
            EnvironmentFiles files = ctx.getBean(EnvironmentFiles.class);
            MetricsStore store = ctx.getBean(MetricsStore.class);
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            UserRecord user = ctx.getBean(UserRepository.class).save(new UserRecord(UUID.randomUUID(), "bench@example.com", "B", "M", now));
            AppRecord app = ctx.getBean(AppRepository.class).save(new AppRecord(UUID.randomUUID(), user.id(), "bench",
                    AppRecord.AppKind.APPLICATION, AppRecord.AppStatus.ACTIVE, now, now));
            long setup = System.nanoTime();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                UUID id = UUID.randomUUID();
                EnvironmentRecord env = environments.save(new EnvironmentRecord(id, app.id(), "env-" + i,
                        EnvironmentRecord.EnvironmentType.CUSTOM, null, EnvironmentStatus.RUNNING, null, "1.1.0", null, null,
                        EnvironmentRecord.databaseNameFor(id), null, now, now));
                databases.ensureDatabase(env.dbName(), UUID.randomUUID().toString().replace("-", ""));
                files.createFolders(id.toString());
                Files.write(files.resourcesDir(id.toString()).resolve("upload.bin"), new byte[4096]);
                names.add(env.dbName());
            }
            System.out.printf("%nset up %d environments with databases in %d s%n", count, (System.nanoTime() - setup) / 1_000_000_000);

            SimulatedFiguresRuntime runtime = new SimulatedFiguresRuntime();
            MetricsCollector collector = new MetricsCollector(environments, runtime, databases, files, store);
            Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            for (int i = 0; i < 2; i++) { // warm-up, not printed
                collector.collect(at = at.plusSeconds(30));
            }
            List<Long> totals = new ArrayList<>();
            List<Long> sizes = new ArrayList<>();
            int stored = 0;
            for (int i = 0; i < cycles; i++) {
                long t0 = System.nanoTime();
                stored = collector.collect(at = at.plusSeconds(30));
                totals.add((System.nanoTime() - t0) / 1_000_000);
                long t1 = System.nanoTime();
                databases.databaseSizes(names);
                sizes.add((System.nanoTime() - t1) / 1_000_000);
            }
            System.out.println();
            System.out.println("| measure | median (min / max) |");
            System.out.println("|---|---|");
            System.out.printf("| one collection cycle, %d environments, %d samples stored (n=%d) | %s |%n", count, stored, cycles, stats(totals));
            System.out.printf("| of which: pg_database_size of the %d databases (2 queries of 500), measured apart | %s |%n", count, stats(sizes));
            System.out.printf("| runtime calls per cycle (batches of 500) | %d |%n", runtime.calls / (cycles + 2));
        }
        System.exit(0);
    }

    private static String stats(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        long median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return String.format("%d ms (%d / %d)", median, sorted.get(0), sorted.get(n - 1));
    }
}
