package io.cloudplane.worker;

import io.cloudplane.activities.backup.BackupActivitiesImpl;
import io.cloudplane.activities.environment.DatabaseActivitiesImpl;
import io.cloudplane.activities.environment.FileActivitiesImpl;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.app.AppService;
import io.cloudplane.api.backup.BackupLauncher;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.database.DatabaseProvisioner;
import io.cloudplane.infra.embedded.EmbeddedS3Server;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.backup.BackupRecord;
import io.cloudplane.infra.backup.BackupRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.storage.ObjectStore;
import io.cloudplane.workflows.backup.BackupActivities;
import io.cloudplane.workflows.backup.BackupStep;
import io.cloudplane.workflows.backup.Retention;
import io.cloudplane.workflows.backup.VerifyResult;
import io.cloudplane.workflows.operation.OperationStatus;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backups against the real parts: the environment's PostgreSQL database and pg_dump/pg_restore,
 * its resource files, s3proxy as object storage, and the workflow on the embedded Temporal.
 */
@MicronautTest(transactional = false)
class BackupIT {
    @Inject UserRepository users;
    @Inject AppService apps;
    @Inject AccessService access;
    @Inject OperationRepository operations;
    @Inject EnvironmentRepository environments;
    @Inject DatabaseActivitiesImpl databaseActivities;
    @Inject FileActivitiesImpl fileActivities;
    @Inject DatabaseProvisioner databases;
    @Inject EnvironmentFiles files;
    @Inject SecretBox secrets;
    @Inject BackupRepository backups;
    @Inject BackupLauncher launcher;
    @Inject ObjectStore store;
    @Inject EmbeddedS3Server s3;
    @Inject BackupActivitiesImpl backupActivities;
    @Inject io.cloudplane.api.backup.RestoreService restoreService;
    @Inject io.cloudplane.api.operation.OperationLauncher operationLauncher;
    @Inject io.cloudplane.api.backup.BackupScheduleRecovery recovery;
    private UserRecord owner;

    @Test
    void aBackupIsStoredVerifiedByARestoreAndCompleted() throws Exception {
        EnvironmentRecord env = stagingEnvironment();
        try (Connection c = connect(env)) {
            sampleData(c);
        }
        Files.writeString(files.resourcesDir(env.id().toString()).resolve("logo.svg"), "<svg/>");
        Files.createDirectories(files.resourcesDir(env.id().toString()).resolve("docs"));
        Files.write(files.resourcesDir(env.id().toString()).resolve("docs/guide.bin"), new byte[] {1, 2, 3, 0, 5});

        BackupRecord backup = startBackup(env);
        BackupRecord done = awaitBackup(backup.id(), b -> b.status().isFinal(), Duration.ofSeconds(90));
        assertEquals(BackupRecord.Status.COMPLETED, done.status(), done.toString());
        assertEquals(BackupRecord.Verification.PASSED, done.verification());
        assertTrue(done.verificationDetail().contains("3 tables"), done.verificationDetail());
        assertNotNull(done.sizeBytes());
        List<String> keys = store.list(done.objectPrefix()).stream().map(ObjectStore.StoredObject::key).toList();
        assertEquals(List.of(done.objectPrefix() + "database.dump", done.objectPrefix() + "files.tar",
                done.objectPrefix() + "manifest.json"), keys);
        assertTrue(done.objectPrefix().equals("backups/" + env.appId() + "/" + env.id() + "/" + done.id() + "/"));
        String manifest = new String(store.get(done.objectPrefix() + "manifest.json").readAllBytes());
        assertTrue(manifest.contains("\"public.items\":{\"rows\":500"), manifest);
        assertTrue(manifest.contains("\"fileCount\":2"), manifest);
        assertTrue(manifest.contains("PostgreSQL 15"), manifest);
        assertFalse(databases.databaseExists("vfy_" + done.id().toString().replace("-", "")), "the scratch database is dropped");

        // A corrupted object is found out: the stored dump no longer restores to the manifest.
        Path dump = s3.root().resolve("cloudplane").resolve(done.objectPrefix() + "database.dump");
        assertTrue(Files.exists(dump), dump.toString());
        try (RandomAccessFile f = new RandomAccessFile(dump.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0xFF);
        }
        TestActivityEnvironment activityEnv = TestActivityEnvironment.newInstance();
        try {
            activityEnv.registerActivitiesImplementations(backupActivities);
            BackupActivities activities = activityEnv.newActivityStub(BackupActivities.class, ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofMinutes(2))
                    .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build()).build());
            VerifyResult verdict = activities.verify(done.id().toString());
            assertFalse(verdict.passed(), verdict.detail());
            assertTrue(verdict.detail().contains("SHA-256") || verdict.detail().contains("does not restore"), verdict.detail());
        } finally {
            activityEnv.close();
        }
    }

    @Test
    void aRestorePutsBackEveryRowSequenceIndexAndFileAndAFailedOneLeavesTheEnvironmentAsItWas() throws Exception {
        EnvironmentRecord env = stagingEnvironment();
        environments.updateStatus(env.id(), io.cloudplane.workflows.environment.EnvironmentStatus.STOPPED, null, Instant.now());
        Path resources = files.resourcesDir(env.id().toString());
        try (Connection c = connect(env)) {
            sampleData(c);
        }
        Files.writeString(resources.resolve("logo.svg"), "<svg>original</svg>");
        Files.createDirectories(resources.resolve("docs"));
        Files.write(resources.resolve("docs/guide.bin"), new byte[] {9, 8, 7, 0, 6});
        java.util.Map<String, String> original;
        try (Connection c = connect(env)) {
            original = snapshot(c);
        }
        java.util.Map<String, String> originalFiles = fileBytes(resources);
        BackupRecord backup = awaitBackup(startBackup(env).id(), b -> b.status().isFinal(), Duration.ofSeconds(90));
        assertEquals(BackupRecord.Status.COMPLETED, backup.status(), backup.toString());

        // Change everything.
        try (Connection c = connect(env); Statement s = c.createStatement()) {
            s.execute("DELETE FROM items WHERE id % 3 = 0");
            s.execute("UPDATE customers SET name = 'renamed'");
            s.execute("DROP VIEW big_items");
            s.execute("DROP TABLE notes");
            s.execute("DROP INDEX items_customer");
            s.execute("CREATE TABLE extra (x int)");
            s.execute("SELECT nextval('invoice_numbers') FROM generate_series(1, 10)");
        }
        Files.writeString(resources.resolve("logo.svg"), "<svg>changed</svg>");
        Files.delete(resources.resolve("docs/guide.bin"));
        Files.writeString(resources.resolve("new.txt"), "added after the backup");
        java.util.Map<String, String> changed;
        try (Connection c = connect(env)) {
            changed = snapshot(c);
        }
        assertFalse(changed.equals(original));

        OperationRecord restore = restoreService.record(access.requireOwner(owner.id(), env.appId()), owner.id(), env, backup.id());
        assertTrue(operationLauncher.launch(restore));
        OperationRecord done = awaitOperation(restore.id(), Duration.ofSeconds(120));
        assertEquals(OperationStatus.SUCCEEDED, done.status(), done.toString());
        try (Connection c = connect(env)) {
            assertEquals(original, snapshot(c), "rows, sequence, indexes and views are as they were backed up");
        }
        assertEquals(originalFiles, fileBytes(resources), "the resource files are byte for byte as they were");
        assertEquals(io.cloudplane.workflows.environment.EnvironmentStatus.STOPPED, environments.findById(env.id()).orElseThrow().status());
        String hex = restore.id().toString().replace("-", "");
        assertFalse(databases.databaseExists("rst_" + hex));
        assertFalse(databases.databaseExists("old_" + hex), "what was kept aside is dropped once the restore succeeded");
        try (var siblings = Files.list(resources.getParent())) {
            assertEquals(List.of("resources"), siblings.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("resources"))
                    .toList());
        }
        BackupRecord safety = backups.findNewestFirst(env.id(), 10).stream()
                .filter(b -> b.trigger() == BackupRecord.Trigger.SAFETY).findFirst().orElseThrow();
        assertEquals(BackupRecord.Status.COMPLETED, safety.status(), "the safety backup came first");

        // A restore that fails (its dump no longer matches) leaves the environment exactly as it was.
        try (Connection c = connect(env); Statement s = c.createStatement()) {
            s.execute("INSERT INTO customers (name, email) VALUES ('after', 'after@example.com')");
        }
        java.util.Map<String, String> before;
        try (Connection c = connect(env)) {
            before = snapshot(c);
        }
        Path dump = s3.root().resolve("cloudplane").resolve(backup.objectPrefix() + "database.dump");
        try (RandomAccessFile f = new RandomAccessFile(dump.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0xFF);
        }
        OperationRecord failing = restoreService.record(access.requireOwner(owner.id(), env.appId()), owner.id(), env, backup.id());
        assertTrue(operationLauncher.launch(failing));
        OperationRecord failed = awaitOperation(failing.id(), Duration.ofSeconds(120));
        assertEquals(OperationStatus.FAILED, failed.status(), failed.toString());
        assertNotNull(failed.error());
        try (Connection c = connect(env)) {
            assertEquals(before, snapshot(c), "the environment's data is untouched");
        }
        assertEquals(originalFiles, fileBytes(resources));
        assertEquals(io.cloudplane.workflows.environment.EnvironmentStatus.STOPPED, environments.findById(env.id()).orElseThrow().status());
    }

    private OperationRecord awaitOperation(UUID id, Duration timeout) {
        return await("operation " + id + " to end").atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(() -> operations.findById(id).orElseThrow(), op -> op.status().isFinal());
    }

    /** Every table's rows in key order, the sequence's position, the indexes and the views. */
    private static java.util.Map<String, String> snapshot(Connection c) throws Exception {
        java.util.Map<String, String> result = new java.util.TreeMap<>();
        List<String> tables = new java.util.ArrayList<>();
        try (Statement s = c.createStatement(); var rs = s.executeQuery(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        for (String table : tables) {
            StringBuilder rows = new StringBuilder();
            try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT t::text FROM " + table + " t ORDER BY t::text")) {
                while (rs.next()) {
                    rows.append(rs.getString(1)).append('\n');
                }
            }
            result.put("table " + table, rows.toString());
        }
        for (String[] q : new String[][] {
                {"sequences", "SELECT sequencename || '=' || coalesce(last_value, 0) FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"},
                {"indexes", "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"},
                {"views", "SELECT viewname FROM pg_views WHERE schemaname = 'public' ORDER BY 1"}}) {
            StringBuilder out = new StringBuilder();
            try (Statement s = c.createStatement(); var rs = s.executeQuery(q[1])) {
                while (rs.next()) {
                    out.append(rs.getString(1)).append('\n');
                }
            }
            result.put(q[0], out.toString());
        }
        return result;
    }

    private static java.util.Map<String, String> fileBytes(Path dir) throws Exception {
        java.util.Map<String, String> result = new java.util.TreeMap<>();
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                result.put(dir.relativize(p).toString(), java.util.HexFormat.of().formatHex(Files.readAllBytes(p)));
            }
        }
        return result;
    }

    @Test
    void objectStorageGoingAwayMidUploadFailsTheBackupAtUploadingAndLeavesNothing() throws Exception {
        EnvironmentRecord env = stagingEnvironment();
        try (Connection c = connect(env); Statement s = c.createStatement()) {
            // About 40 MB that does not compress: several 5 MiB parts.
            s.execute("CREATE TABLE blobs (id int primary key, data bytea)");
            s.execute("INSERT INTO blobs SELECT g, decode(repeat(md5(random()::text) || md5(random()::text), 20), 'hex') "
                    + "FROM generate_series(1, 130000) g");
        }
        BackupRecord backup = startBackup(env);
        Path parts = s3.root();
        awaitBackup(backup.id(), b -> b.status() == BackupRecord.Status.DUMPING, Duration.ofSeconds(30));
        // Stop the store once the upload is under way.
        await("the upload to be under way").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> anyFileMentions(parts, backup.id().toString()));
        s3.close();
        try {
            BackupRecord failed = awaitBackup(backup.id(), b -> b.status().isFinal(), Duration.ofSeconds(90));
            assertEquals(BackupRecord.Status.FAILED, failed.status(), failed.toString());
            assertEquals(BackupStep.UPLOADING, failed.failedStep(), failed.toString());
            assertNotNull(failed.error());
            assertTrue(backups.findNewestCompleted(env.id()).isEmpty(), "no good backup");
        } finally {
            s3.restart();
        }
        // Once the store is back, the clean-up (retried all along) removes whatever was written.
        await("the clean-up of the failed upload").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> store.list(backup.objectPrefix()).isEmpty() && !anyFileMentions(parts, backup.id().toString()));
        assertEquals(List.of(), store.list(backup.objectPrefix()));
        assertFalse(anyFileMentions(parts, backup.id().toString()), "no part of the upload is left on disk");
    }

    @Test
    void deletingTheEnvironmentDeletesItsBackupsObjects() throws Exception {
        EnvironmentRecord env = stagingEnvironment();
        try (Connection c = connect(env); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (x int)");
        }
        BackupRecord backup = awaitBackup(startBackup(env).id(), b -> b.status().isFinal(), Duration.ofSeconds(90));
        assertEquals(BackupRecord.Status.COMPLETED, backup.status(), backup.toString());
        String envPrefix = "backups/" + env.appId() + "/" + env.id() + "/";
        assertEquals(3, store.list(envPrefix).size());

        OperationRecord deletion = apps.deleteEnvironment(access.requireOwner(owner.id(), env.appId()), owner.id(), env);
        assertTrue(operationLauncher.launch(deletion));
        OperationRecord done = awaitOperation(deletion.id(), Duration.ofSeconds(60));
        assertEquals(OperationStatus.SUCCEEDED, done.status(), done.toString());
        assertTrue(done.steps().contains("\"name\":\"delete-backups\",\"status\":\"SUCCEEDED\""), done.steps());
        assertEquals(List.of(), store.list(envPrefix), "no backup object outlives its environment");
        assertTrue(backups.findById(backup.id()).isEmpty(), "nor its row");
    }

    @Test
    void aManualBackupLeftWithoutItsWorkflowIsStartedAgainByTheRecovery() throws Exception {
        EnvironmentRecord env = stagingEnvironment();
        try (Connection c = connect(env); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (x int)");
            s.execute("INSERT INTO t SELECT generate_series(1, 10)");
        }
        // Accepted while Temporal was away: the row exists, its workflow never started.
        UUID id = UUID.randomUUID();
        Instant earlier = Instant.now().minus(Duration.ofMinutes(2)).truncatedTo(ChronoUnit.MICROS);
        backups.save(BackupRecord.pending(id, env.appId(), env.id(), BackupRecord.Trigger.MANUAL, null, null, earlier));
        recovery.recover();
        BackupRecord done = awaitBackup(id, b -> b.status().isFinal(), Duration.ofSeconds(90));
        assertEquals(BackupRecord.Status.COMPLETED, done.status(), done.toString());
    }

    private static boolean anyFileMentions(Path root, String text) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try (var walk = Files.walk(root)) {
                return walk.anyMatch(p -> p.toString().contains(text) && Files.isRegularFile(p));
            } catch (java.io.UncheckedIOException e) {
                // s3proxy may delete a file (a multipart stub) while the walk lists its folder: walk again.
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private BackupRecord startBackup(EnvironmentRecord env) {
        UUID id = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        BackupRecord backup = backups.save(BackupRecord.pending(id, env.appId(), env.id(), BackupRecord.Trigger.MANUAL, null,
                null, now));
        assertTrue(launcher.launch(backup, Retention.DEFAULT));
        return backup;
    }

    private BackupRecord awaitBackup(UUID id, Predicate<BackupRecord> condition, Duration timeout) {
        return await("backup " + id + " to reach the expected state").atMost(timeout).pollInterval(Duration.ofMillis(50))
                .until(() -> backups.findById(id).orElseThrow(), condition);
    }

    /** A staging environment with its database and folders, without a server. */
    private EnvironmentRecord stagingEnvironment() {
        owner = users.save(new UserRecord(UUID.randomUUID(), "backup-" + UUID.randomUUID() + "@example.com", "B", "K",
                Instant.now().truncatedTo(ChronoUnit.MICROS)));
        OperationRecord dev = apps.createApp(owner.id(), "backed-up", AppRecord.AppKind.APPLICATION);
        operations.finish(dev.id(), OperationStatus.SUCCEEDED, null, Instant.now());
        OperationRecord staging = apps.createEnvironment(access.requireOwner(owner.id(), dev.appId()), owner.id(), "staging",
                EnvironmentRecord.EnvironmentType.STAGING, null);
        operations.finish(staging.id(), OperationStatus.SUCCEEDED, null, Instant.now());
        databaseActivities.createDatabase(staging.envId().toString());
        fileActivities.createFolders(staging.envId().toString());
        return environments.findById(staging.envId()).orElseThrow();
    }

    private Connection connect(EnvironmentRecord env) throws Exception {
        Properties props = new Properties();
        props.setProperty("user", env.dbName());
        props.setProperty("password", secrets.decrypt(env.dbPassword()));
        return DriverManager.getConnection(databases.jdbcUrlFor(env.dbName()), props);
    }

    /** Tables, rows, an index, a sequence and a view: what an application's database holds. */
    static void sampleData(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SEQUENCE invoice_numbers START 1000");
            s.execute("CREATE TABLE customers (id serial primary key, name text not null, email text unique)");
            s.execute("CREATE TABLE items (id bigint primary key, customer_id int references customers (id), "
                    + "price numeric(10,2), tags text[], created_at timestamptz, payload jsonb)");
            s.execute("CREATE INDEX items_customer ON items (customer_id)");
            s.execute("CREATE TABLE notes (body text)");
            s.execute("INSERT INTO customers (name, email) SELECT 'customer ' || g, 'c' || g || '@example.com' "
                    + "FROM generate_series(1, 50) g");
            s.execute("INSERT INTO items SELECT g, 1 + g % 50, g * 1.25, ARRAY['a', 'b' || g], "
                    + "timestamptz '2026-01-01' + g * interval '1 hour', jsonb_build_object('n', g) FROM generate_series(1, 500) g");
            s.execute("INSERT INTO notes VALUES ('héllo, wörld'), (NULL), ('')");
            s.execute("SELECT nextval('invoice_numbers'), nextval('invoice_numbers')");
            s.execute("CREATE VIEW big_items AS SELECT * FROM items WHERE price > 100");
        }
    }
}
