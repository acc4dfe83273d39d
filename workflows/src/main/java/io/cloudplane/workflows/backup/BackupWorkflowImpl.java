package io.cloudplane.workflows.backup;

import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.operation.OperationTracker;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;

import java.time.Duration;

/**
 * A backup is COMPLETED only once its dump and files are stored and a restore of the stored dump
 * matched the manifest. Any failure records FAILED with the step and the reason, then deletes what
 * was stored (retried until object storage answers), so that no partial backup is left.
 */
public class BackupWorkflowImpl implements BackupWorkflow {
    /** Data steps: a few attempts, then the backup is reported failed rather than left hanging. */
    private final BackupActivities steps = Workflow.newActivityStub(BackupActivities.class, ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofHours(6))
            .setHeartbeatTimeout(Duration.ofMinutes(2))
            .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(2)).setMaximumAttempts(3)
                    .build())
            .build());

    /** Bookkeeping and clean-up: retried until they succeed, so that nothing is left behind. */
    private final BackupActivities records = Workflow.newActivityStub(BackupActivities.class, ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(10))
            .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(1))
                    .setMaximumInterval(Duration.ofMinutes(1)).build())
            .build());

    @Override
    public void backup(BackupRequest request) {
        String id = request.backupId();
        BackupStep step = BackupStep.DUMPING;
        try {
            DumpResult database = steps.dumpDatabase(id);
            step = BackupStep.UPLOADING;
            FilesResult files = steps.archiveFiles(id);
            steps.writeManifest(id, database, files);
            step = BackupStep.VERIFYING;
            VerifyResult verification = steps.verify(id);
            if (!verification.passed()) {
                Workflow.newDetachedCancellationScope(() -> {
                    records.fail(id, BackupStep.VERIFYING, "verification failed: " + verification.detail(), true);
                    records.deleteObjects(id);
                }).run();
                throw FailureType.VERIFICATION_FAILED.nonRetryable("backup " + id + " failed verification: "
                        + verification.detail());
            }
            records.complete(id, verification.detail());
        } catch (ActivityFailure failure) {
            BackupStep failedStep = stepOf(failure, step);
            String reason = failure.getCause() instanceof ApplicationFailure app && failedStep.failureType().is(app)
                    ? app.getOriginalMessage() : OperationTracker.reason(failure);
            Workflow.newDetachedCancellationScope(() -> {
                records.fail(id, failedStep, reason, false);
                records.deleteObjects(id);
            }).run();
            throw FailureType.BACKUP_FAILED.nonRetryable("backup " + id + " failed at " + failedStep + ": " + reason, failure);
        }
        if (request.retention() != null) { // a restore's safety backup applies none: it must not delete its source
            records.applyRetention(request.envId(), request.retention());
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
