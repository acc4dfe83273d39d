package io.cloudplane.worker.bench;

import io.cloudplane.activities.backup.BackupActivitiesImpl;
import io.cloudplane.activities.environment.DatabaseActivitiesImpl;
import io.cloudplane.activities.environment.FileActivitiesImpl;
import io.cloudplane.activities.backup.RestoreActivitiesImpl;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.app.AppService;
import io.cloudplane.infra.backup.PgTools;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.database.DatabaseProvisioner;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.backup.BackupRecord;
import io.cloudplane.infra.backup.BackupRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.workflows.backup.BackupActivities;
import io.cloudplane.workflows.backup.DumpResult;
import io.cloudplane.workflows.backup.RestoreActivities;
import io.cloudplane.workflows.operation.OperationStatus;
import io.micronaut.context.ApplicationContext;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * {@code ./mvnw -Pbench verify}: backup and restore throughput against plain {@code pg_dump -Fc} to
 * /dev/null and plain {@code pg_restore} of the same dump, measured in the same run, and the peak
 * heap of the JVM during each, for databases of {@code -Dbench.backup.sizesMb} (default 100,1000).
 * Runs the real activities (pg_dump streamed to s3proxy; the stored dump streamed into pg_restore
 * and checked against the manifest) in a Micronaut context with the embedded defaults.
 * {@code -Dbench.backup.warmupMb=N} runs an unprinted round of N MB first (a warm worker's figures).
 */
public final class BackupBenchmark {
    private BackupBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Files.createTempDirectory("cloudplane-bench-backup");
        try (ApplicationContext ctx = ApplicationContext.run(Map.of(
                "cloudplane.data-dir", dataDir.toString(),
                "micronaut.server.port", -1,
                "cloudplane.gateway.port", 0,
                "cloudplane.gateway.tls-port", 0,
                "cloudplane.embedded.temporal.port", 0,
                "cloudplane.embedded.postgres.port", 0,
                "cloudplane.reconcile.enabled", false,
                "cloudplane.sandbox.recovery.enabled", false,
                "cloudplane.backup.recovery.enabled", false))) {
            int warmup = Integer.getInteger("bench.backup.warmupMb", 0);
            if (warmup > 0) {
                // A round that is not printed, so that the figures are those of a warm worker.
                run(ctx, warmup, dataDir, false);
            }
            System.out.println();
            System.out.println("| database | pg_dump -Fc > /dev/null | Cloudplane dump + upload | ratio | pg_restore (local file) "
                    + "| Cloudplane restore (from storage, digest checked) | ratio | peak heap, backup | peak heap, restore |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            for (String size : System.getProperty("bench.backup.sizesMb", "100,1000").split(",")) {
                run(ctx, Integer.parseInt(size.trim()), dataDir, true);
            }
        }
        System.exit(0);
    }

    private static void run(ApplicationContext ctx, int megabytes, Path dataDir, boolean print) throws Exception {
        EnvironmentRecord env = stagingEnvironment(ctx);
        SecretBox secrets = ctx.getBean(SecretBox.class);
        DatabaseProvisioner databases = ctx.getBean(DatabaseProvisioner.class);
        String password = secrets.decrypt(env.dbPassword());
        Properties props = new Properties();
        props.setProperty("user", env.dbName());
        props.setProperty("password", password);
        try (Connection c = DriverManager.getConnection(databases.jdbcUrlFor(env.dbName()), props); Statement s = c.createStatement()) {
            // Rows like an application's: a key, numbers, a timestamp and about 1 KB of random hex text
            // (28 random UUIDs), which compresses about 2:1, as text does.
            s.execute("CREATE TABLE events (id bigint primary key, account int, amount numeric(12,2), at timestamptz, body text)");
            long rows = megabytes * 1024L * 1024L / 1100;
            s.execute("INSERT INTO events SELECT g, g % 1000, g * 0.01, now() - g * interval '1 second', "
                    + "(SELECT string_agg(gen_random_uuid()::text, '') FROM generate_series(1, 28) WHERE g > 0) "
                    + "FROM generate_series(1, " + rows + ") g");
            s.execute("CREATE INDEX events_account ON events (account)");
            s.execute("VACUUM ANALYZE events");
        }
        long dbBytes;
        try (Connection c = DriverManager.getConnection(databases.jdbcUrlFor(env.dbName()), props); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT pg_database_size(current_database())")) {
            rs.next();
            dbBytes = rs.getLong(1);
        }
        PgTools tools = ctx.getBean(PgTools.class);
        List<String> connection = List.of("--no-password", "--host=" + databases.host(), "--port=" + databases.port(),
                "--username=" + env.dbName());

        // Plain pg_dump to /dev/null, and to a file for the plain pg_restore.
        long plainDump = time(() -> tool(List.of(tools.pgDump(), "--format=custom", "--dbname=" + env.dbName()), connection, password,
                new File("/dev/null")));
        File dumpFile = dataDir.resolve("plain-" + env.id() + ".dump").toFile();
        tool(List.of(tools.pgDump(), "--format=custom", "--dbname=" + env.dbName()), connection, password, dumpFile);

        // Cloudplane's dump, streamed to object storage.
        BackupRecord backup = backupRow(ctx, env);
        TestActivityEnvironment activityEnv = TestActivityEnvironment.newInstance();
        activityEnv.registerActivitiesImplementations(ctx.getBean(BackupActivitiesImpl.class), ctx.getBean(RestoreActivitiesImpl.class));
        ActivityOptions options = ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofHours(1))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build()).build();
        BackupActivities backups = activityEnv.newActivityStub(BackupActivities.class, options);
        RestoreActivities restores = activityEnv.newActivityStub(RestoreActivities.class, options);
        resetPeaks();
        LiveHeap liveBackup = new LiveHeap();
        long[] ours = new long[1];
        DumpResult[] dump = new DumpResult[1];
        ours[0] = time(() -> dump[0] = backups.dumpDatabase(backup.id().toString()));
        long backupPeak = peakHeap();
        long backupLive = liveBackup.stop();
        var files = backups.archiveFiles(backup.id().toString());
        backups.writeManifest(backup.id().toString(), dump[0], files);
        ctx.getBean(BackupRepository.class).complete(backup.id(), "bench", Instant.now());

        // Plain pg_restore of the plain dump into a fresh database, and Cloudplane's restore from storage.
        String plainTarget = "bench_plain_" + env.id().toString().replace("-", "").substring(0, 8);
        databases.createDatabaseOwnedBy(plainTarget, env.dbName());
        long plainRestore = time(() -> tool(List.of(tools.pgRestore(), "--no-owner", "--no-privileges", "--exit-on-error",
                "--dbname=" + plainTarget, dumpFile.getPath()), connection, password, new File("/dev/null")));
        databases.dropDatabaseOnly(plainTarget);
        String restoreId = UUID.randomUUID().toString();
        resetPeaks();
        LiveHeap liveRestore = new LiveHeap();
        long ourRestore = time(() -> restores.restoreDatabase(restoreId, env.id().toString(), backup.id().toString()));
        long restorePeak = peakHeap();
        long restoreLive = liveRestore.stop();
        restores.revert(restoreId, env.id().toString());
        activityEnv.close();

        if (!print) {
            dumpFile.delete();
            return;
        }
        System.out.printf("| %d MB of rows (%d MB on disk, dump %d MB) | %.1f s, %.0f MB/s | %.1f s, %.0f MB/s | %.2f× | %.1f s | %.1f s "
                        + "| %.2f× | %d MiB (live after GC: %d MiB) | %d MiB (live after GC: %d MiB) |%n",
                megabytes, dbBytes >> 20, dump[0].size() >> 20,
                plainDump / 1e3, (dbBytes >> 20) / (plainDump / 1e3), ours[0] / 1e3, (dbBytes >> 20) / (ours[0] / 1e3),
                (double) plainDump / ours[0], plainRestore / 1e3, ourRestore / 1e3, (double) plainRestore / ourRestore,
                backupPeak >> 20, backupLive >> 20, restorePeak >> 20, restoreLive >> 20);
        dumpFile.delete();
    }

    private interface Step {
        void run() throws Exception;
    }

    private static long time(Step step) throws Exception {
        long start = System.nanoTime();
        step.run();
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static void tool(List<String> command, List<String> connection, String password, File output) throws Exception {
        List<String> full = new java.util.ArrayList<>(command.subList(0, 1));
        full.addAll(connection);
        full.addAll(command.subList(1, command.size()));
        ProcessBuilder pb = new ProcessBuilder(full).redirectOutput(output).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("PGPASSWORD", password);
        int exit = pb.start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException(full + " exited " + exit);
        }
    }

    private static void resetPeaks() {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    /** The sum of the heap pools' peaks since the reset: an upper bound of the heap in use at any moment. */
    private static long peakHeap() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    /** The largest heap found in use right after a collection (the live data, not the garbage), sampled every 50 ms. */
    private static final class LiveHeap {
        private final java.util.concurrent.atomic.AtomicLong max = new java.util.concurrent.atomic.AtomicLong();
        private volatile boolean running = true;
        private final Thread sampler = new Thread(() -> {
            while (running) {
                long live = 0;
                for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                    if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                        live += pool.getCollectionUsage().getUsed();
                    }
                }
                max.accumulateAndGet(live, Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "live-heap");

        LiveHeap() {
            sampler.setDaemon(true);
            sampler.start();
        }

        long stop() throws InterruptedException {
            running = false;
            sampler.join();
            return max.get();
        }
    }

    private static BackupRecord backupRow(ApplicationContext ctx, EnvironmentRecord env) {
        UUID id = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return ctx.getBean(BackupRepository.class).save(BackupRecord.pending(id, env.appId(), env.id(),
                BackupRecord.Trigger.MANUAL, null, null, now));
    }

    private static EnvironmentRecord stagingEnvironment(ApplicationContext ctx) {
        UserRecord owner = ctx.getBean(UserRepository.class).save(new UserRecord(UUID.randomUUID(),
                "bench-" + UUID.randomUUID() + "@example.com", "B", "K", Instant.now().truncatedTo(ChronoUnit.MICROS)));
        AppService apps = ctx.getBean(AppService.class);
        OperationRepository operations = ctx.getBean(OperationRepository.class);
        OperationRecord dev = apps.createApp(owner.id(), "bench-" + owner.id().toString().substring(0, 8), AppRecord.AppKind.APPLICATION);
        operations.finish(dev.id(), OperationStatus.SUCCEEDED, null, Instant.now());
        OperationRecord staging = apps.createEnvironment(ctx.getBean(AccessService.class).requireOwner(owner.id(), dev.appId()),
                owner.id(), "staging", EnvironmentRecord.EnvironmentType.STAGING, null);
        operations.finish(staging.id(), OperationStatus.SUCCEEDED, null, Instant.now());
        ctx.getBean(DatabaseActivitiesImpl.class).createDatabase(staging.envId().toString());
        ctx.getBean(FileActivitiesImpl.class).createFolders(staging.envId().toString());
        return ctx.getBean(EnvironmentRepository.class).findById(staging.envId()).orElseThrow();
    }
}
