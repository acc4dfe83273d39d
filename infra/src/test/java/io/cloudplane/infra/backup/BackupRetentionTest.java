package io.cloudplane.infra.backup;

import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.storage.ObjectStore;
import io.cloudplane.workflows.backup.Retention;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.time.temporal.ChronoUnit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Retention keeps exactly what the policy says: the newest N good backups, the young ones, and the newest good one always. */
@MicronautTest(transactional = false)
class BackupRetentionTest {
    private static final Instant NOW = Instant.parse("2027-06-01T12:00:00Z");

    private static BackupRecord backup(String name, int daysAgo, BackupRecord.Status status) {
        UUID id = UUID.nameUUIDFromBytes(name.getBytes());
        Instant at = NOW.minus(Duration.ofDays(daysAgo));
        return new BackupRecord(id, UUID.randomUUID(), UUID.randomUUID(), BackupRecord.Trigger.SCHEDULED, status, null, null,
                "backups/x/" + name + "/", 1L, null, null, null, null, at, at, at, at, at);
    }

    private static List<String> deleted(List<BackupRecord> all, Retention retention) {
        List<String> names = new ArrayList<>();
        for (BackupRecord b : BackupRetention.toDelete(all, retention, NOW)) {
            names.add(b.objectPrefix().replace("backups/x/", "").replace("/", ""));
        }
        return names;
    }

    @Test
    void keepsTheNewestNAndEverythingYoungerThanDDays() {
        List<BackupRecord> all = new ArrayList<>();
        for (int day = 0; day < 12; day++) {
            all.add(backup("d" + day, day * 5, BackupRecord.Status.COMPLETED)); // 0, 5, ..., 55 days old
        }
        // Newest 3 are d0..d2 (0-10 days); younger than 30 days: d0..d5 (0-25 days). Everything older goes.
        assertEquals(List.of("d6", "d7", "d8", "d9", "d10", "d11"), deleted(all, new Retention(3, 30)));
        // Newest 8 kept even though d6, d7 are older than 30 days.
        assertEquals(List.of("d8", "d9", "d10", "d11"), deleted(all, new Retention(8, 30)));
        // No age window: the newest 2 only.
        assertEquals(10, deleted(all, new Retention(2, 0)).size());
    }

    @Test
    void failedBackupsDoNotCountTowardsTheNewestNAndOldOnesGo() {
        List<BackupRecord> all = List.of(
                backup("f0", 40, BackupRecord.Status.FAILED),
                backup("f1", 41, BackupRecord.Status.FAILED),
                backup("ok", 60, BackupRecord.Status.COMPLETED),
                backup("old", 90, BackupRecord.Status.COMPLETED),
                backup("young-failed", 1, BackupRecord.Status.FAILED));
        assertEquals(List.of("f0", "f1", "old"), deleted(all, new Retention(1, 30)));
    }

    @Test
    void theNewestGoodBackupIsNeverDeletedAndRunningOnesAreLeftAlone() {
        List<BackupRecord> all = List.of(
                backup("running", 100, BackupRecord.Status.UPLOADING),
                backup("only-good", 200, BackupRecord.Status.COMPLETED),
                backup("older-good", 300, BackupRecord.Status.COMPLETED));
        assertEquals(List.of("older-good"), deleted(all, new Retention(0, 0)));
    }

    @Inject BackupRetention retention;
    @Inject BackupRepository backups;
    @Inject BackupArchive archive;
    @Inject ObjectStore store;
    @Inject UserRepository users;
    @Inject AppRepository apps;
    @Inject EnvironmentRepository environments;

    @Test
    void applyingItDeletesTheObjectsAndRowsOfWhatThePolicyDoesNotKeep() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UserRecord user = users.save(new UserRecord(UUID.randomUUID(), "r-" + UUID.randomUUID() + "@example.com", "R", "T", now));
        AppRecord app = apps.save(new AppRecord(UUID.randomUUID(), user.id(), "retained", AppRecord.AppKind.APPLICATION,
                AppRecord.AppStatus.ACTIVE, now, now));
        UUID envId = UUID.randomUUID();
        environments.save(new EnvironmentRecord(envId, app.id(), "staging", EnvironmentRecord.EnvironmentType.STAGING, null,
                EnvironmentStatus.RUNNING, null, "1.1.0", null, null, EnvironmentRecord.databaseNameFor(envId), null, now, now));
        List<BackupRecord> stored = new ArrayList<>();
        for (int daysAgo : new int[] {1, 40, 50}) {
            BackupRecord b = backups.save(BackupRecord.pending(UUID.randomUUID(), app.id(), envId, BackupRecord.Trigger.SCHEDULED,
                    null, null, now.minus(Duration.ofDays(daysAgo))));
            backups.complete(b.id(), "verified", now);
            archive.put(b, BackupArchive.DATABASE, new ByteArrayInputStream(new byte[] {1}), "application/octet-stream",
                    Progress.NONE);
            stored.add(b);
        }

        assertEquals(2, retention.apply(envId, new Retention(1, 30), now));
        assertEquals(List.of(stored.get(0).id()), backups.findNewestFirst(envId, 10).stream().map(BackupRecord::id).toList());
        assertEquals(1, store.list(stored.get(0).objectPrefix()).size());
        assertEquals(List.of(), store.list(stored.get(1).objectPrefix()));
        assertEquals(List.of(), store.list(stored.get(2).objectPrefix()));
        assertEquals(0, retention.apply(envId, new Retention(1, 30), now), "applied again, it finds nothing more");
    }
}
