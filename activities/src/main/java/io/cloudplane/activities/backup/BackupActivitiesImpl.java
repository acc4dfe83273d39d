package io.cloudplane.activities.backup;

import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.activities.common.Heartbeats;
import io.cloudplane.activities.environment.EnvironmentLookup;
import io.cloudplane.infra.backup.BackupArchive;
import io.cloudplane.infra.backup.BackupManifest;
import io.cloudplane.infra.backup.BackupRecord;
import io.cloudplane.infra.backup.BackupRepository;
import io.cloudplane.infra.monitoring.BackupMeters;
import io.cloudplane.infra.backup.BackupRestorer;
import io.cloudplane.infra.backup.BackupRetention;
import io.cloudplane.infra.backup.DatabaseDumps;
import io.cloudplane.infra.backup.PgTools;
import io.cloudplane.infra.backup.Progress;
import io.cloudplane.infra.backup.TableFingerprints;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.storage.ObjectStore;
import io.cloudplane.workflows.backup.BackupActivities;
import io.cloudplane.workflows.backup.BackupStep;
import io.cloudplane.workflows.backup.DumpResult;
import io.cloudplane.workflows.backup.FilesResult;
import io.cloudplane.workflows.backup.Retention;
import io.cloudplane.workflows.backup.VerifyResult;
import io.temporal.activity.Activity;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** The steps of a backup over {@link DatabaseDumps}, {@link BackupArchive} and {@link BackupRestorer}; failures typed by step. */
@Singleton
public class BackupActivitiesImpl implements BackupActivities, ControlPlaneActivities {

    private final BackupMeters meters;
    private final BackupRepository backups;
    private final EnvironmentLookup lookup;
    private final EnvironmentFiles files;
    private final SecretBox secrets;
    private final DatabaseDumps dumps;
    private final BackupArchive archive;
    private final BackupRestorer restorer;
    private final BackupRetention retention;

    public BackupActivitiesImpl(BackupRepository backups, EnvironmentLookup lookup, EnvironmentFiles files, SecretBox secrets,
                                DatabaseDumps dumps, BackupArchive archive, BackupRestorer restorer, BackupRetention retention,
                                BackupMeters meters) {
        this.backups = backups;
        this.meters = meters;
        this.lookup = lookup;
        this.files = files;
        this.secrets = secrets;
        this.dumps = dumps;
        this.archive = archive;
        this.restorer = restorer;
        this.retention = retention;
    }

    @Override
    public DumpResult dumpDatabase(String backupId) {
        BackupRecord backup = require(backupId);
        backups.markStep(backup.id(), BackupRecord.Status.DUMPING, Instant.now());
        EnvironmentRecord env = lookup.require(backup.envId().toString());
        Progress progress = Heartbeats.ofCurrentActivity();
        try {
            DatabaseDumps.Dump<ObjectStore.StoredObject> dump = dumps.dump(env.dbName(), secrets.decrypt(env.dbPassword()),
                    body -> archive.put(backup, BackupArchive.DATABASE, body, "application/octet-stream", progress), progress);
            Map<String, DumpResult.TableFingerprint> tables = new TreeMap<>();
            dump.tables().forEach((t, f) -> tables.put(t, new DumpResult.TableFingerprint(f.rows(), f.checksum())));
            return new DumpResult(dump.stored().size(), dump.stored().sha256(), dump.serverVersion(), tables);
        } catch (PgTools.ToolTooOldException e) {
            throw FailureType.DUMPING.nonRetryable(e.getMessage());
        } catch (DatabaseDumps.MissingDatabaseException e) {
            // Not a wrong password: a failed provisioning removed the database and its role, and
            // the environment's schedule still asks for backups. Retrying changes nothing.
            throw FailureType.DUMPING.nonRetryable("environment " + env.id() + " has no database to back up ("
                    + e.getMessage() + "; the environment is " + env.status()
                    + (env.statusReason() == null || env.statusReason().isBlank() ? "" : ": " + env.statusReason()) + ")", e);
        } catch (TableFingerprints.UnreadableTableException e) {
            throw FailureType.DUMPING.nonRetryable("reading database " + env.dbName() + " failed: " + e.getMessage(), e);
        } catch (SQLException e) {
            throw FailureType.DUMPING.retryable("reading database " + env.dbName() + " failed: " + e.getMessage(), e);
        } catch (BackupArchive.SourceFailedException e) { // pg_dump failed, not the storage
            throw FailureType.DUMPING.retryable(e.getMessage(), e);
        } catch (BackupArchive.StorageFailedException e) {
            throw FailureType.UPLOADING.retryable(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Activity.wrap(e);
        }
    }

    @Override
    public FilesResult archiveFiles(String backupId) {
        BackupRecord backup = require(backupId);
        backups.markStep(backup.id(), BackupRecord.Status.UPLOADING, Instant.now());
        try {
            BackupArchive.StoredFiles stored = archive.putFiles(backup, files.resourcesDir(backup.envId().toString()),
                    Heartbeats.ofCurrentActivity());
            return new FilesResult(stored.stored().size(), stored.stored().sha256(), stored.count());
        } catch (IOException | BackupArchive.SourceFailedException | BackupArchive.StorageFailedException e) {
            throw FailureType.UPLOADING.retryable(e.getMessage(), e);
        }
    }

    @Override
    public long writeManifest(String backupId, DumpResult database, FilesResult filesPart) {
        BackupRecord backup = require(backupId);
        EnvironmentRecord env = lookup.require(backup.envId().toString());
        Map<String, BackupManifest.Table> tables = new LinkedHashMap<>();
        database.tables().forEach((t, f) -> tables.put(t, new BackupManifest.Table(f.rows(), f.checksum())));
        BackupManifest manifest = new BackupManifest(1, backupId, backup.appId().toString(), backup.envId().toString(),
                env.serverVersion(), null, database.serverVersion(),
                backup.startedAt() != null ? backup.startedAt() : backup.createdAt(), Instant.now(),
                new BackupManifest.Part(BackupArchive.key(backup, BackupArchive.DATABASE), database.size(), database.sha256()),
                new BackupManifest.Part(BackupArchive.key(backup, BackupArchive.FILES), filesPart.size(), filesPart.sha256()),
                filesPart.files(), tables);
        byte[] stored;
        try {
            stored = archive.putManifest(backup, manifest);
        } catch (BackupArchive.SourceFailedException | BackupArchive.StorageFailedException e) {
            throw FailureType.UPLOADING.retryable(e.getMessage(), e);
        }
        long total = database.size() + filesPart.size() + stored.length;
        backups.recordManifest(backup.id(), total, new String(stored, StandardCharsets.UTF_8), Instant.now());
        return total;
    }

    @Override
    public VerifyResult verify(String backupId) {
        BackupRecord backup = require(backupId);
        backups.markStep(backup.id(), BackupRecord.Status.VERIFYING, Instant.now());
        EnvironmentRecord env = lookup.require(backup.envId().toString());
        try {
            BackupManifest manifest = archive.readManifest(backup);
            BackupRestorer.Verdict verdict = restorer.verify(backup.id(), manifest, env.dbName(),
                    secrets.decrypt(env.dbPassword()), Heartbeats.ofCurrentActivity());
            return new VerifyResult(verdict.passed(), verdict.detail());
        } catch (PgTools.ToolTooOldException e) {
            throw FailureType.VERIFYING.nonRetryable(e.getMessage());
        } catch (BackupArchive.ReadFailedException e) {
            throw FailureType.VERIFYING.retryable(e.getMessage(), e);
        } catch (SQLException e) {
            throw FailureType.VERIFYING.retryable("reading the scratch database failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void complete(String backupId, String verificationDetail) {
        if (backups.complete(UUID.fromString(backupId), verificationDetail, Instant.now()) > 0) { // once, when it ended
            meters.completed();
        }
    }

    @Override
    public void fail(String backupId, BackupStep step, String reason, boolean verificationFailed) {
        if (backups.fail(UUID.fromString(backupId), step, reason,
                verificationFailed ? BackupRecord.Verification.FAILED : null, verificationFailed ? reason : null, Instant.now()) > 0) {
            meters.failed();
        }
    }

    @Override
    public void deleteObjects(String backupId) {
        backups.findById(UUID.fromString(backupId)).ifPresent(archive::delete);
    }

    @Override
    public void deleteEnvironmentBackups(String appId, String envId) {
        archive.deleteEnvironment(UUID.fromString(appId), UUID.fromString(envId));
    }

    @Override
    public int applyRetention(String envId, Retention policy) {
        return retention.apply(UUID.fromString(envId), policy, Instant.now());
    }

    private BackupRecord require(String backupId) {
        return backups.findById(UUID.fromString(backupId))
                .orElseThrow(() -> FailureType.NOT_FOUND.nonRetryable("backup " + backupId + " does not exist"));
    }
}
