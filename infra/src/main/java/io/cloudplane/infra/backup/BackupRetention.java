package io.cloudplane.infra.backup;

import io.cloudplane.workflows.backup.Retention;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Which backups retention deletes, and deleting them. Kept: the newest {@code keepCount} completed
 * backups, every backup younger than {@code keepDays}, the newest completed backup whatever its
 * age, and any backup still running. Everything else goes, failed backups included (their objects
 * are already gone; only their row remains).
 */
@Singleton
public class BackupRetention {
    private final BackupRepository backups;
    private final BackupArchive archive;

    public BackupRetention(BackupRepository backups, BackupArchive archive) {
        this.backups = backups;
        this.archive = archive;
    }

    /** Deletes the environment's backups that the policy does not keep, objects first, then rows; returns how many. */
    public int apply(UUID envId, Retention retention, Instant now) {
        List<BackupRecord> doomed = toDelete(backups.findNewestFirst(envId, Integer.MAX_VALUE), retention, now);
        for (BackupRecord b : doomed) {
            archive.delete(b);
            backups.deleteById(b.id());
        }
        return doomed.size();
    }

    public static List<BackupRecord> toDelete(List<BackupRecord> backups, Retention retention, Instant now) {
        List<BackupRecord> newestFirst = new ArrayList<>(backups);
        newestFirst.sort(Comparator.comparing(BackupRecord::createdAt).reversed());
        Set<UUID> keep = new HashSet<>();
        int completed = 0;
        for (BackupRecord b : newestFirst) {
            if (b.status() == BackupRecord.Status.COMPLETED && completed++ < Math.max(1, retention.keepCount())) {
                keep.add(b.id());
            }
        }
        Instant cutoff = now.minus(Duration.ofDays(retention.keepDays()));
        List<BackupRecord> doomed = new ArrayList<>();
        for (BackupRecord b : newestFirst) {
            boolean young = b.createdAt().isAfter(cutoff); // strictly younger than keepDays
            if (!keep.contains(b.id()) && !young && b.status().isFinal()) {
                doomed.add(b);
            }
        }
        return doomed;
    }
}
