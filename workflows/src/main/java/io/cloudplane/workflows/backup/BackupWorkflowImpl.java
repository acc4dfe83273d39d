package io.cloudplane.workflows.backup;

import io.cloudplane.workflows.common.ChangeIds;
import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.common.Activities;
import io.cloudplane.workflows.operation.OperationTracker;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;

import java.util.function.Supplier;

/**
 * A backup is COMPLETED only once its dump and files are stored and a restore of the stored dump
 * matched the manifest. Any failure records FAILED with the step and the reason, then deletes what
 * was stored (retried until object storage answers), so that no partial backup is left.
 *
 * <p>From change {@code cancellable-backup}, a cancel of the workflow is honoured between steps (each
 * runs in a detached scope, so no dump or upload goes on behind the clean-up): the backup is FAILED at
 * its step saying it was cancelled, what was stored is deleted, and the workflow ends cancelled.
 */
public class BackupWorkflowImpl implements BackupWorkflow {
    /**
     * The data steps have a few attempts, then the backup is reported failed rather than left
     * hanging; its records and clean-up are retried until they succeed, so that nothing is left behind.
     */
    private final BackupActivities backup = Activities.backups();
    static final String CANCELLED = "cancelled on request; what it had stored was deleted";
    private boolean cancellable;
    private CancellationScope root;

    @Override
    public void backup(BackupRequest request) {
        String id = request.backupId();
        cancellable = Workflow.getVersion(ChangeIds.CANCELLABLE_BACKUP, Workflow.DEFAULT_VERSION, 1) == 1;
        root = CancellationScope.current();
        BackupStep step = BackupStep.DUMPING;
        try {
            DumpResult database = step(() -> backup.dumpDatabase(id));
            step = BackupStep.UPLOADING;
            FilesResult files = step(() -> backup.archiveFiles(id));
            step(() -> {
                backup.writeManifest(id, database, files);
                return null;
            });
            step = BackupStep.VERIFYING;
            VerifyResult verification = step(() -> backup.verify(id));
            if (!verification.passed()) {
                Workflow.newDetachedCancellationScope(() -> {
                    backup.fail(id, BackupStep.VERIFYING, "verification failed: " + verification.detail(), true);
                    backup.deleteObjects(id);
                }).run();
                throw FailureType.VERIFICATION_FAILED.nonRetryable("backup " + id + " failed verification: "
                        + verification.detail());
            }
            step(() -> {
                backup.complete(id, verification.detail());
                return null;
            });
        } catch (CanceledFailure cancel) {
            if (!cancellable) {
                throw cancel;
            }
            BackupStep cancelledAt = step;
            Workflow.newDetachedCancellationScope(() -> {
                backup.fail(id, cancelledAt, CANCELLED, false);
                backup.deleteObjects(id);
            }).run();
            throw cancel;
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

    /** One step: as it is before change cancellable-backup; from it, detached, and not begun once a cancel was asked for. */
    private <T> T step(Supplier<T> body) {
        if (!cancellable) {
            return body.get();
        }
        if (root.isCancelRequested()) {
            throw new CanceledFailure("backup cancelled");
        }
        java.util.List<T> result = new java.util.ArrayList<>(1);
        Workflow.newDetachedCancellationScope(() -> {
            result.add(body.get());
        }).run();
        return result.get(0);
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
