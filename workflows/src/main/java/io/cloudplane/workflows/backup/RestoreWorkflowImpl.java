package io.cloudplane.workflows.backup;

import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.common.Activities;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.environment.EnvironmentActivities;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationTracker;
import io.cloudplane.workflows.server.RuntimeActivities;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;

/**
 * A restore never loses the target's data: a safety backup is taken first, and the target's own
 * database and files are only set aside until the restored server is healthy. On any failure they
 * are put back, the server is started again, and the restore is FAILED with the reason.
 */
public class RestoreWorkflowImpl implements RestoreWorkflow {
    private final RestoreActivities restore = Activities.restores();
    private final RuntimeActivities runtime = Activities.runtime();
    private final EnvironmentActivities environments = Activities.environments();

    @Override
    public void restore(RestoreRequest request) {
        OperationTracker op = new OperationTracker(request.operationId());
        String envId = request.envId();
        String restoreId = request.operationId();
        op.started();
        EnvironmentStatus before = op.step("read-status", () -> environments.getStatus(envId));
        // A stopped (or sleeping) environment stays so, restored; any other is served again.
        boolean serve = before != EnvironmentStatus.STOPPED && before != EnvironmentStatus.SLEEPING;
        boolean touched = false;
        try {
            op.step("safety-backup", () -> Workflow.newChildWorkflowStub(BackupWorkflow.class, ChildWorkflowOptions.newBuilder()
                            .setWorkflowId(WorkflowIds.backup(request.safetyBackupId())).build())
                    .backup(new BackupRequest(request.safetyBackupId(), request.appId(), envId, null)));
            touched = true;
            op.step("stop-server", () -> {
                environments.setStatus(envId, EnvironmentStatus.RESTORING, null);
                runtime.stopServer(envId);
            });
            op.step("restore-database", () -> restore.restoreDatabase(restoreId, envId, request.backupId()));
            op.step("swap-database", () -> restore.swapDatabase(restoreId, envId));
            op.step("restore-files", () -> restore.restoreFiles(restoreId, envId, request.backupId()));
            if (serve) {
                op.step("start-server", () -> runtime.startServer(envId));
                op.step("await-healthy", () -> runtime.awaitHealthy(envId));
            }
            op.step("record-status", () -> environments.setStatus(envId, serve ? EnvironmentStatus.RUNNING : before, null));
            restore.discardKeptAside(restoreId, envId);
            op.succeeded();
        } catch (TemporalFailure failure) {
            String reason = OperationTracker.reason(failure);
            boolean changed = touched;
            Workflow.newDetachedCancellationScope(() -> {
                if (changed) {
                    // The environment's own database and files go back, and its server with them.
                    restore.revert(restoreId, envId);
                    EnvironmentStatus after = before;
                    String why = null;
                    if (serve) {
                        try {
                            runtime.stopServer(envId);
                            runtime.startServer(envId);
                            runtime.awaitHealthy(envId);
                            after = EnvironmentStatus.RUNNING;
                        } catch (TemporalFailure notBack) {
                            after = EnvironmentStatus.FAILED;
                            why = "the restore failed (" + reason + ") and the server did not come back: "
                                    + OperationTracker.reason(notBack);
                        }
                    }
                    environments.setStatus(envId, after, why);
                }
                op.failed(reason);
            }).run();
            throw FailureType.RESTORE_FAILED.nonRetryable("restore " + restoreId + " failed: " + reason, failure);
        }
    }
}
