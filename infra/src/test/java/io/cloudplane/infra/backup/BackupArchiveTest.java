package io.cloudplane.infra.backup;

import io.cloudplane.infra.crypto.Sha256;
import io.cloudplane.infra.storage.ObjectStore;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Backups in object storage, against s3proxy as in the all-in-one: the key layout, the manifest and the digest check. */
@MicronautTest(transactional = false)
class BackupArchiveTest {
    @Inject BackupArchive archive;
    @Inject ObjectStore store;
    @TempDir
    Path dir;

    private static BackupRecord backup(UUID appId, UUID envId) {
        return BackupRecord.pending(UUID.randomUUID(), appId, envId, BackupRecord.Trigger.MANUAL, null, null,
                Instant.now().truncatedTo(ChronoUnit.MICROS));
    }

    private static List<String> keys(ObjectStore store, String prefix) {
        return store.list(prefix).stream().map(ObjectStore.StoredObject::key).toList();
    }

    @Test
    void aBackupsPartsAndManifestAreStoredUnderItsPrefix() throws Exception {
        UUID appId = UUID.randomUUID();
        UUID envId = UUID.randomUUID();
        BackupRecord backup = backup(appId, envId);
        assertEquals("backups/" + appId + "/" + envId + "/" + backup.id() + "/", backup.objectPrefix());

        byte[] dump = "a dump".getBytes(StandardCharsets.UTF_8);
        ObjectStore.StoredObject database = archive.put(backup, BackupArchive.DATABASE, new ByteArrayInputStream(dump),
                "application/octet-stream", Progress.NONE);
        assertEquals(Sha256.hex(dump), database.sha256());
        Files.writeString(dir.resolve("logo.svg"), "<svg/>");
        Files.createDirectories(dir.resolve("docs"));
        Files.write(dir.resolve("docs/guide.bin"), new byte[] {1, 2, 3});
        BackupArchive.StoredFiles files = archive.putFiles(backup, dir, Progress.NONE);
        assertEquals(2, files.count());

        BackupManifest manifest = new BackupManifest(1, backup.id().toString(), appId.toString(), envId.toString(), "1.1.0",
                null, "PostgreSQL 15", backup.createdAt(), backup.createdAt(),
                new BackupManifest.Part(BackupArchive.key(backup, BackupArchive.DATABASE), database.size(), database.sha256()),
                new BackupManifest.Part(BackupArchive.key(backup, BackupArchive.FILES), files.stored().size(),
                        files.stored().sha256()),
                files.count(), Map.of("public.items", new BackupManifest.Table(500, "12345")));
        byte[] json = archive.putManifest(backup, manifest);
        assertEquals(manifest, archive.readManifest(backup));
        String text = new String(json, StandardCharsets.UTF_8);
        assertTrue(text.contains("\"public.items\":{\"rows\":500"), text);
        assertFalse(text.contains("sumOfRows") || text.contains("differencesFrom"), "only the record's fields are written: " + text);

        assertEquals(List.of(backup.objectPrefix() + "database.dump", backup.objectPrefix() + "files.tar",
                backup.objectPrefix() + "manifest.json"), keys(store, backup.objectPrefix()));
        assertNull(archive.checkDigest(manifest.database(), Progress.NONE));
        assertNull(archive.checkDigest(manifest.files(), Progress.NONE));
    }

    @Test
    void aPartWhoseBytesChangedIsFoundOutByItsDigest() {
        BackupRecord backup = backup(UUID.randomUUID(), UUID.randomUUID());
        byte[] dump = new byte[300_000];
        new java.util.Random(3).nextBytes(dump);
        ObjectStore.StoredObject stored = archive.put(backup, BackupArchive.DATABASE, new ByteArrayInputStream(dump),
                "application/octet-stream", Progress.NONE);
        BackupManifest.Part part = new BackupManifest.Part(stored.key(), stored.size(), stored.sha256());
        dump[dump.length / 2] ^= 0x01;
        store.put(stored.key(), new ByteArrayInputStream(dump), "application/octet-stream");

        String problem = archive.checkDigest(part, Progress.NONE);
        assertEquals(stored.key() + " has SHA-256 " + Sha256.hex(dump) + ", the manifest says " + stored.sha256(), problem);
        BackupArchive.ReadFailedException missing = assertThrows(BackupArchive.ReadFailedException.class,
                () -> archive.checkDigest(new BackupManifest.Part(backup.objectPrefix() + "gone", 1, "x"), Progress.NONE));
        assertTrue(missing.getMessage().startsWith("reading " + backup.objectPrefix() + "gone failed: "), missing.getMessage());
        assertThrows(BackupArchive.ReadFailedException.class, () -> archive.readManifest(backup), "no manifest was stored");
    }

    @Test
    void aSourceThatFailsIsToldApartAndLeavesNothingStored() {
        BackupRecord backup = backup(UUID.randomUUID(), UUID.randomUUID());
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("pg_dump failed (exit 1): connection refused");
            }
        };
        BackupArchive.SourceFailedException e = assertThrows(BackupArchive.SourceFailedException.class,
                () -> archive.put(backup, BackupArchive.DATABASE, failing, "application/octet-stream", Progress.NONE));
        assertEquals("pg_dump failed (exit 1): connection refused", e.getMessage());
        assertEquals(List.of(), keys(store, backup.objectPrefix()));
    }

    @Test
    void readsReportTheirBytesToTheProgress() throws Exception {
        BackupRecord backup = backup(UUID.randomUUID(), UUID.randomUUID());
        byte[] data = new byte[64 * 1024];
        ObjectStore.StoredObject stored = archive.put(backup, BackupArchive.DATABASE, new ByteArrayInputStream(data),
                "application/octet-stream", Progress.NONE);
        long[] reported = {-1};
        Progress slowReader = new Progress() {
            @Override
            public void alive() {
            }

            @Override
            public void bytes(long soFar) {
                reported[0] = soFar;
            }
        };
        try (BackupArchive.CheckedPart in = archive.open(new BackupManifest.Part(stored.key(), stored.size(), stored.sha256()),
                slowReader)) {
            byte[] buffer = new byte[1024];
            in.read(buffer);
            Thread.sleep(2100); // the first report comes after 2 s of reading
            in.transferTo(java.io.OutputStream.nullOutputStream());
            assertTrue(in.matches());
        }
        assertTrue(reported[0] > 0 && reported[0] <= data.length, "bytes so far: " + reported[0]);
    }

    @Test
    void deletingABackupOrAnEnvironmentLeavesTheOthersAlone() {
        UUID appId = UUID.randomUUID();
        UUID envId = UUID.randomUUID();
        UUID otherEnv = UUID.randomUUID();
        BackupRecord first = backup(appId, envId);
        BackupRecord second = backup(appId, envId);
        BackupRecord elsewhere = backup(appId, otherEnv);
        for (BackupRecord b : List.of(first, second, elsewhere)) {
            archive.put(b, BackupArchive.DATABASE, new ByteArrayInputStream(new byte[] {1}), "application/octet-stream",
                    Progress.NONE);
        }
        archive.delete(first);
        archive.delete(first); // idempotent
        assertEquals(List.of(), keys(store, first.objectPrefix()));
        assertEquals(1, keys(store, second.objectPrefix()).size());

        archive.deleteEnvironment(appId, envId);
        assertEquals(List.of(), keys(store, BackupArchive.environmentPrefix(appId, envId)));
        assertEquals(1, keys(store, elsewhere.objectPrefix()).size(), "another environment's backups stay");
    }
}
