package io.cloudplane.workflows.backup;

import io.temporal.activity.ActivityInterface;

/**
 * The steps of a backup ({@link BackupStep}). Each marks the backup's status as it begins, so that
 * the status is the step being done. Failures carry the step they belong to as their type
 * ({@link BackupStep#failureType()}), whatever step was running.
 */
@ActivityInterface
public interface BackupActivities {
    /** DUMPING: pg_dump (custom format) streamed to object storage, with the tables' fingerprints. */
    DumpResult dumpDatabase(String backupId);

    /** UPLOADING: the resource files as a tar streamed to object storage. */
    FilesResult archiveFiles(String backupId);

    /** UPLOADING: the manifest (sizes, digests, fingerprints, versions, times) beside the parts; returns the backup's total size. */
    long writeManifest(String backupId, DumpResult database, FilesResult files);

    /** VERIFYING: restores the stored dump into a scratch database (then dropped) and compares it with the manifest. */
    VerifyResult verify(String backupId);

    void complete(String backupId, String verificationDetail);

    /** Records the failure: the step, the reason, and the verification outcome when it was the verification that failed. */
    void fail(String backupId, BackupStep step, String reason, boolean verificationFailed);

    /** Deletes everything stored under the backup's prefix, and aborts its unfinished uploads. Idempotent. */
    void deleteObjects(String backupId);

    /** Deletes every backup object of an environment that is being deleted. Idempotent. */
    void deleteEnvironmentBackups(String appId, String envId);

    /** Applies the retention policy to the environment's backups; returns how many it deleted. */
    int applyRetention(String envId, Retention retention);
}
