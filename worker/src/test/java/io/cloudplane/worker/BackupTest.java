package io.cloudplane.worker;

import io.cloudplane.activities.BackupActivitiesImpl;
import io.cloudplane.activities.DatabaseActivitiesImpl;
import io.cloudplane.activities.FileActivitiesImpl;
import io.cloudplane.api.apps.AccessService;
import io.cloudplane.api.apps.AppService;
import io.cloudplane.api.backups.BackupLauncher;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.databases.DatabaseProvisioner;
import io.cloudplane.infra.embedded.EmbeddedS3Server;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.persistence.AppRecord;
import io.cloudplane.infra.persistence.BackupRecord;
import io.cloudplane.infra.persistence.BackupRepository;
import io.cloudplane.infra.persistence.EnvironmentRecord;
import io.cloudplane.infra.persistence.EnvironmentRepository;
import io.cloudplane.infra.persistence.OperationRecord;
import io.cloudplane.infra.persistence.OperationRepository;
import io.cloudplane.infra.persistence.UserRecord;
import io.cloudplane.infra.persistence.UserRepository;
import io.cloudplane.infra.storage.ObjectStore;
import io.cloudplane.workflows.backup.BackupActivities;
import io.cloudplane.workflows.backup.Retention;
import io.cloudplane.workflows.backup.VerifyResult;
import io.cloudplane.workflows.common.OperationStatus;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backups against the real parts: the environment's PostgreSQL database and pg_dump/pg_restore,
 * its resource files, s3proxy as object storage, and the workflow on the embedded Temporal.
 */
@MicronautTest(transactional = false)
class BackupTest {
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
        long deadline = System.currentTimeMillis() + 30_000;
        while (!anyFileMentions(parts, backup.id().toString()) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        s3.close();
        try {
            BackupRecord failed = awaitBackup(backup.id(), b -> b.status().isFinal(), Duration.ofSeconds(90));
            assertEquals(BackupRecord.Status.FAILED, failed.status(), failed.toString());
            assertEquals(BackupRecord.Status.UPLOADING, failed.failedStep(), failed.toString());
            assertNotNull(failed.error());
            assertTrue(backups.findNewestCompleted(env.id()).isEmpty(), "no good backup");
        } finally {
            s3.restart();
        }
        // Once the store is back, the clean-up (retried all along) removes whatever was written.
        long cleanDeadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < cleanDeadline
                && (!store.list(backup.objectPrefix()).isEmpty() || anyFileMentions(parts, backup.id().toString()))) {
            Thread.sleep(200);
        }
        assertEquals(List.of(), store.list(backup.objectPrefix()));
        assertFalse(anyFileMentions(parts, backup.id().toString()), "no part of the upload is left on disk");
    }

    private static boolean anyFileMentions(Path root, String text) throws Exception {
        try (var walk = Files.walk(root)) {
            return walk.anyMatch(p -> p.toString().contains(text) && Files.isRegularFile(p));
        }
    }

    private BackupRecord startBackup(EnvironmentRecord env) {
        UUID id = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        BackupRecord backup = backups.save(new BackupRecord(id, env.appId(), env.id(), BackupRecord.Trigger.MANUAL,
                BackupRecord.Status.PENDING, null, null, BackupRecord.prefixFor(env.appId(), env.id(), id), null, null, null,
                null, null, null, now, null, null, now));
        assertTrue(launcher.launch(backup, Retention.DEFAULT));
        return backup;
    }

    private BackupRecord awaitBackup(UUID id, Predicate<BackupRecord> condition, Duration timeout) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        BackupRecord current = backups.findById(id).orElseThrow();
        while (!condition.test(current)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("backup never reached the expected state: " + current);
            }
            Thread.sleep(50);
            current = backups.findById(id).orElseThrow();
        }
        return current;
    }

    /** A staging environment with its database and folders, without a server. */
    private EnvironmentRecord stagingEnvironment() {
        UserRecord owner = users.save(new UserRecord(UUID.randomUUID(), "backup-" + UUID.randomUUID() + "@example.com", "B", "K",
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
