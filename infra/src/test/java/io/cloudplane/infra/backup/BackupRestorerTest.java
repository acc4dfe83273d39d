package io.cloudplane.infra.backup;

import io.cloudplane.infra.database.DatabaseProvisioner;
import io.cloudplane.infra.storage.ObjectStore;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backup stored as the backup workflow stores it (pg_dump of the embedded PostgreSQL and a tar,
 * on s3proxy), then verified and restored, whole and after its objects were tampered with.
 */
@MicronautTest(transactional = false)
class BackupRestorerTest {
    private static final String PASSWORD = io.cloudplane.infra.crypto.RandomTokens.alphanumeric(32);
    @Inject BackupRestorer restorer;
    @Inject BackupArchive archive;
    @Inject DatabaseDumps dumps;
    @Inject DatabaseProvisioner databases;
    @Inject ObjectStore store;
    @TempDir
    Path dir;
    private String database;
    private String target;
    private BackupRecord backup;
    private BackupManifest manifest;

    @BeforeEach
    void storeABackup() throws Exception {
        database = DatabaseDumpsTest.sampleDatabase(databases, PASSWORD);
        target = "rst_" + UUID.randomUUID().toString().replace("-", "");
        Path resources = Files.createDirectories(dir.resolve("resources"));
        Files.writeString(resources.resolve("logo.svg"), "<svg/>");
        Files.createDirectories(resources.resolve("docs"));
        Files.write(resources.resolve("docs/guide.bin"), new byte[] {1, 2, 3, 0, 5});

        backup = BackupRecord.pending(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), BackupRecord.Trigger.MANUAL, null,
                null, Instant.now().truncatedTo(ChronoUnit.MICROS));
        DatabaseDumps.Dump<ObjectStore.StoredObject> dump = dumps.dump(database, PASSWORD,
                in -> archive.put(backup, BackupArchive.DATABASE, in, "application/octet-stream", Progress.NONE), Progress.NONE);
        BackupArchive.StoredFiles files = archive.putFiles(backup, resources, Progress.NONE);
        Map<String, BackupManifest.Table> tables = new LinkedHashMap<>();
        dump.tables().forEach((t, f) -> tables.put(t, new BackupManifest.Table(f.rows(), f.checksum())));
        manifest = new BackupManifest(1, backup.id().toString(), backup.appId().toString(), backup.envId().toString(), "1.1.0",
                null, dump.serverVersion(), backup.createdAt(), Instant.now(),
                new BackupManifest.Part(dump.stored().key(), dump.stored().size(), dump.stored().sha256()),
                new BackupManifest.Part(files.stored().key(), files.stored().size(), files.stored().sha256()),
                files.count(), tables);
    }

    @AfterEach
    void cleanUp() {
        if (backup != null) {
            archive.delete(backup);
        }
        databases.dropDatabaseOnly(target);
        databases.dropDatabase(database);
    }

    private String scratch() {
        return "vfy_" + backup.id().toString().replace("-", "");
    }

    /** Flips one byte in the middle of a stored part. */
    private void corrupt(BackupManifest.Part part) throws IOException {
        byte[] bytes;
        try (var in = store.get(part.key())) {
            bytes = in.readAllBytes();
        }
        bytes[bytes.length / 2] ^= (byte) 0xFF;
        store.put(part.key(), new ByteArrayInputStream(bytes), "application/octet-stream");
    }

    @Test
    void aWholeBackupVerifiesAndRestoresToItsTablesAndFiles() throws Exception {
        BackupRestorer.Verdict verdict = restorer.verify(backup.id(), manifest, database, PASSWORD, Progress.NONE);
        assertEquals(new BackupRestorer.Verdict(true, "restored into a scratch database: 3 tables, 553 rows, row counts and "
                + "checksums match; both parts match their SHA-256"), verdict);
        assertFalse(databases.databaseExists(scratch()), "the scratch database is dropped");

        databases.createDatabaseOwnedBy(target, database);
        assertNull(restorer.restoreDatabase(manifest.database(), target, database, PASSWORD, Progress.NONE));
        assertEquals(dumps.fingerprints(database, database, PASSWORD, Progress.NONE),
                dumps.fingerprints(target, database, PASSWORD, Progress.NONE));

        Path restored = dir.resolve("restored");
        assertNull(restorer.restoreFiles(manifest.files(), restored, Progress.NONE));
        assertEquals("<svg/>", Files.readString(restored.resolve("logo.svg")));
        assertArrayEquals(new byte[] {1, 2, 3, 0, 5}, Files.readAllBytes(restored.resolve("docs/guide.bin")));
    }

    @Test
    void aTamperedDumpFailsVerificationAndIsNotRestored() throws Exception {
        corrupt(manifest.database());
        BackupRestorer.Verdict verdict = restorer.verify(backup.id(), manifest, database, PASSWORD, Progress.NONE);
        assertFalse(verdict.passed(), verdict.detail());
        assertTrue(verdict.detail().startsWith("the stored dump does not restore: pg_restore failed")
                || verdict.detail().startsWith("the stored dump's SHA-256 is "), verdict.detail());
        assertFalse(databases.databaseExists(scratch()), "the scratch database is dropped");

        databases.createDatabaseOwnedBy(target, database);
        String problem = restorer.restoreDatabase(manifest.database(), target, database, PASSWORD, Progress.NONE);
        assertTrue(problem != null && (problem.contains("does not restore") || problem.contains("SHA-256")), problem);
    }

    @Test
    void tamperedFilesFailVerificationAndTheirRestoreSaysSo() throws Exception {
        corrupt(manifest.files());
        BackupRestorer.Verdict verdict = restorer.verify(backup.id(), manifest, database, PASSWORD, Progress.NONE);
        assertFalse(verdict.passed());
        assertTrue(verdict.detail().startsWith(manifest.files().key() + " has SHA-256 "), verdict.detail());

        String problem = restorer.restoreFiles(manifest.files(), dir.resolve("restored"), Progress.NONE);
        assertTrue(problem != null && problem.startsWith("the stored files' SHA-256 is "), problem);
    }

    @Test
    void aManifestThatDisagreesWithTheRestoredTablesNamesEachDifference() throws Exception {
        Map<String, BackupManifest.Table> tables = new LinkedHashMap<>(manifest.tables());
        tables.put("public.items", new BackupManifest.Table(499, tables.get("public.items").checksum()));
        tables.remove("public.notes");
        tables.put("public.gone", new BackupManifest.Table(1, "1"));
        BackupManifest wrong = new BackupManifest(1, manifest.backupId(), manifest.appId(), manifest.envId(),
                manifest.environmentServerVersion(), null, manifest.postgresVersion(), manifest.startedAt(), manifest.dumpedAt(),
                manifest.database(), manifest.files(), manifest.fileCount(), tables);
        BackupRestorer.Verdict verdict = restorer.verify(backup.id(), wrong, database, PASSWORD, Progress.NONE);
        assertEquals(new BackupRestorer.Verdict(false, "public.items: 500 rows restored, 499 dumped; public.gone is missing; "
                + "public.notes was not in the dump"), verdict);
    }
}
