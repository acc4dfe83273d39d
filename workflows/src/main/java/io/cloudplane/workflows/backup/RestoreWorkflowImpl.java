package io.cloudplane.workflows.backup;

import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationTracker;
import io.cloudplane.workflows.environment.EnvironmentActivityStubs;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;

import java.time.Duration;

/**
 * A restore never loses the target's data: a safety backup is taken first, and the target's own
 * database and files are only set aside until the restored server is healthy. On any failure they
 * are put back, the server is started again, and the restore is FAILED with the reason.
 */
public class RestoreWorkflowImpl implements RestoreWorkflow {
    private final RestoreActivities data = Workflow.newActivityStub(RestoreActivities.class, ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofHours(6))
            .setHeartbeatTimeout(Duration.ofMinutes(2))
            .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(2)).setMaximumAttempts(3)
                    .setDoNotRetry(FailureType.types(FailureType.NOT_FOUND, FailureType.INVALID_INPUT,
                            FailureType.RESTORE_MISMATCH)).build())
            .build());
    private final RestoreActivities undo = Workflow.newActivityStub(RestoreActivities.class, ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(30))
            .setRetryOptions(RetryOptions.newBuilder().setMaximumInterval(Duration.ofMinutes(1)).build())
            .build());

    @Override
    public void restore(RestoreRequest request) {
        EnvironmentActivityStubs act = new EnvironmentActivityStubs();
        OperationTracker op = new OperationTracker(request.operationId());
        String envId = request.envId();
        String restoreId = request.operationId();
        op.started();
        EnvironmentStatus before = op.step("read-status", () -> act.environments.getStatus(envId));
        // A stopped (or sleeping) environment stays so, restored; any other is served again.
        boolean serve = before != EnvironmentStatus.STOPPED && before != EnvironmentStatus.SLEEPING;
        boolean touched = false;
        try {
            op.step("safety-backup", () -> Workflow.newChildWorkflowStub(BackupWorkflow.class, ChildWorkflowOptions.newBuilder()
                            .setWorkflowId(io.cloudplane.workflows.common.WorkflowIds.backup(request.safetyBackupId())).build())
                    .backup(new BackupRequest(request.safetyBackupId(), request.appId(), envId, null)));
            touched = true;
            op.step("stop-server", () -> {
                act.environments.setStatus(envId, EnvironmentStatus.RESTORING, null);
                act.runtime.stopServer(envId);
            });
            op.step("restore-database", () -> data.restoreDatabase(restoreId, envId, request.backupId()));
            op.step("swap-database", () -> data.swapDatabase(restoreId, envId));
            op.step("restore-files", () -> data.restoreFiles(restoreId, envId, request.backupId()));
            if (serve) {
                op.step("start-server", () -> act.runtime.startServer(envId));
                op.step("await-healthy", () -> act.health.awaitHealthy(envId));
            }
            op.step("record-status", () -> act.environments.setStatus(envId, serve ? EnvironmentStatus.RUNNING : before, null));
            undo.discardKeptAside(restoreId, envId);
            op.succeeded();
        } catch (TemporalFailure failure) {
            String reason = OperationTracker.reason(failure);
            boolean changed = touched;
            Workflow.newDetachedCancellationScope(() -> {
                if (changed) {
                    // The environment's own database and files go back, and its server with them.
                    undo.revert(restoreId, envId);
                    EnvironmentStatus after = before;
                    String why = null;
                    if (serve) {
                        try {
                            act.runtime.stopServer(envId);
                            act.runtime.startServer(envId);
                            act.health.awaitHealthy(envId);
                            after = EnvironmentStatus.RUNNING;
                        } catch (TemporalFailure notBack) {
                            after = EnvironmentStatus.FAILED;
                            why = "the restore failed (" + reason + ") and the server did not come back: "
                                    + OperationTracker.reason(notBack);
                        }
                    }
                    act.environments.setStatus(envId, after, why);
                }
                op.failed(reason);
            }).run();
            throw FailureType.RESTORE_FAILED.nonRetryable("restore " + restoreId + " failed: " + reason, failure);
        }
    }
}
