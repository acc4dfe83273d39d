package io.cloudplane.workflows.backup;

import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.common.Activities;
import io.cloudplane.workflows.operation.OperationTracker;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;

/**
 * A backup is COMPLETED only once its dump and files are stored and a restore of the stored dump
 * matched the manifest. Any failure records FAILED with the step and the reason, then deletes what
 * was stored (retried until object storage answers), so that no partial backup is left.
 */
public class BackupWorkflowImpl implements BackupWorkflow {
    /**
     * The data steps have a few attempts, then the backup is reported failed rather than left
     * hanging; its records and clean-up are retried until they succeed, so that nothing is left behind.
     */
    private final BackupActivities backup = Activities.backups();

    @Override
    public void backup(BackupRequest request) {
        String id = request.backupId();
        BackupStep step = BackupStep.DUMPING;
        try {
            DumpResult database = backup.dumpDatabase(id);
            step = BackupStep.UPLOADING;
            FilesResult files = backup.archiveFiles(id);
            backup.writeManifest(id, database, files);
            step = BackupStep.VERIFYING;
            VerifyResult verification = backup.verify(id);
            if (!verification.passed()) {
                Workflow.newDetachedCancellationScope(() -> {
                    backup.fail(id, BackupStep.VERIFYING, "verification failed: " + verification.detail(), true);
                    backup.deleteObjects(id);
                }).run();
                throw FailureType.VERIFICATION_FAILED.nonRetryable("backup " + id + " failed verification: "
                        + verification.detail());
            }
            backup.complete(id, verification.detail());
        } catch (ActivityFailure failure) {
            BackupStep failedStep = stepOf(failure, step);
            String reason = failure.getCause() instanceof ApplicationFailure app && failedStep.failureType().is(app)
                    ? app.getOriginalMessage() : OperationTracker.reason(failure);
            Workflow.newDetachedCancellationScope(() -> {
                backup.fail(id, failedStep, reason, false);
                backup.deleteObjects(id);
            }).run();
            throw FailureType.BACKUP_FAILED.nonRetryable("backup " + id + " failed at " + failedStep + ": " + reason, failure);
        }
        if (request.retention() != null) { // a restore's safety backup applies none: it must not delete its source
            backup.applyRetention(request.envId(), request.retention());
        }
    }

    /** The step a failure names by its type (pg_dump's or the storage's), else the step that was running. */
    private static BackupStep stepOf(ActivityFailure failure, BackupStep running) {
        for (BackupStep named : BackupStep.values()) {
            if (named.failureType().is(failure.getCause())) {
                return named;
            }
        }
        return running;
    }
}
