package io.cloudplane.activities.backup;

import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.activities.common.Heartbeats;
import io.cloudplane.activities.environment.EnvironmentLookup;
import io.cloudplane.infra.backup.BackupArchive;
import io.cloudplane.infra.backup.BackupManifest;
import io.cloudplane.infra.backup.BackupRecord;
import io.cloudplane.infra.backup.BackupRepository;
import io.cloudplane.infra.backup.BackupRestorer;
import io.cloudplane.infra.backup.DatabaseSwap;
import io.cloudplane.infra.backup.PgTools;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.files.ResourcesSwap;
import io.cloudplane.workflows.backup.RestoreActivities;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.UUID;

/** A restore over {@link BackupRestorer}, with {@link DatabaseSwap} and {@link ResourcesSwap} keyed by the restore's ID. */
@Singleton
public class RestoreActivitiesImpl implements RestoreActivities, ControlPlaneActivities {
    /** A stored backup that cannot be read is retried; the type is the one a backup's verification gives the same failure. */
    private static final FailureType UNREADABLE = FailureType.VERIFYING;

    private final BackupRepository backups;
    private final EnvironmentLookup lookup;
    private final SecretBox secrets;
    private final BackupArchive archive;
    private final BackupRestorer restorer;
    private final DatabaseSwap databaseSwap;
    private final ResourcesSwap resourcesSwap;

    public RestoreActivitiesImpl(BackupRepository backups, EnvironmentLookup lookup, SecretBox secrets, BackupArchive archive,
                                 BackupRestorer restorer, DatabaseSwap databaseSwap, ResourcesSwap resourcesSwap) {
        this.backups = backups;
        this.lookup = lookup;
        this.secrets = secrets;
        this.archive = archive;
        this.restorer = restorer;
        this.databaseSwap = databaseSwap;
        this.resourcesSwap = resourcesSwap;
    }

    @Override
    public String restoreDatabase(String restoreId, String envId, String backupId) {
        EnvironmentRecord env = lookup.require(envId);
        BackupManifest manifest = readManifest(requireRestorable(env, backupId));
        try {
            restorer.requireRestoreTool();
        } catch (PgTools.ToolTooOldException e) {
            throw FailureType.INVALID_INPUT.nonRetryable(e.getMessage());
        }
        if (databaseSwap.swappedIn(restoreId)) {
            return "already restored and swapped in";
        }
        String target = databaseSwap.prepareIncoming(env.dbName(), restoreId);
        String problem;
        try {
            problem = restorer.restoreDatabase(manifest.database(), target, env.dbName(), secrets.decrypt(env.dbPassword()),
                    Heartbeats.ofCurrentActivity());
        } catch (BackupArchive.ReadFailedException e) {
            throw UNREADABLE.retryable(e.getMessage(), e);
        }
        if (problem != null) {
            databaseSwap.dropIncoming(restoreId);
            throw FailureType.RESTORE_MISMATCH.nonRetryable(problem);
        }
        // The stored dump's SHA-256 matched the manifest (checked as it streamed): these are the very
        // bytes that the backup's verification restored and compared table by table, so the
        // fingerprints are not computed a second time.
        return manifest.tables().size() + " tables, " + manifest.sumOfRows()
                + " rows restored from a dump whose SHA-256 matches the verified backup's";
    }

    @Override
    public void swapDatabase(String restoreId, String envId) {
        databaseSwap.swapIn(lookup.require(envId).dbName(), restoreId);
    }

    @Override
    public void restoreFiles(String restoreId, String envId, String backupId) {
        EnvironmentRecord env = lookup.require(envId);
        BackupManifest manifest = readManifest(requireRestorable(env, backupId));
        try {
            if (resourcesSwap.swappedIn(envId, restoreId)) {
                return; // swapped on an earlier attempt
            }
            Path incoming = resourcesSwap.prepareIncoming(envId, restoreId);
            String problem = restorer.restoreFiles(manifest.files(), incoming, Heartbeats.ofCurrentActivity());
            if (problem != null) {
                resourcesSwap.dropIncoming(envId, restoreId);
                throw FailureType.RESTORE_MISMATCH.nonRetryable(problem);
            }
            resourcesSwap.swapIn(envId, restoreId);
        } catch (IOException e) {
            throw FailureType.FILES.retryable("restoring the resource files failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void revert(String restoreId, String envId) {
        databaseSwap.revert(lookup.require(envId).dbName(), restoreId);
        try {
            resourcesSwap.revert(envId, restoreId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void discardKeptAside(String restoreId, String envId) {
        databaseSwap.dropKept(restoreId);
        try {
            resourcesSwap.dropKept(envId, restoreId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private BackupRecord requireRestorable(EnvironmentRecord env, String backupId) {
        BackupRecord backup = backups.findById(UUID.fromString(backupId))
                .orElseThrow(() -> FailureType.NOT_FOUND.nonRetryable("backup " + backupId + " does not exist"));
        if (!backup.appId().equals(env.appId()) || backup.status() != BackupRecord.Status.COMPLETED) {
            throw FailureType.INVALID_INPUT.nonRetryable("backup " + backupId + " is not a completed backup of this app");
        }
        return backup;
    }

    private BackupManifest readManifest(BackupRecord backup) {
        try {
            return archive.readManifest(backup);
        } catch (BackupArchive.ReadFailedException e) {
            throw UNREADABLE.retryable(e.getMessage(), e);
        }
    }
}
