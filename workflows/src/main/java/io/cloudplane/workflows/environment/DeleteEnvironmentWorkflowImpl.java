package io.cloudplane.workflows.environment;

import io.cloudplane.workflows.backup.BackupActivities;
import io.cloudplane.workflows.code.CodeActivities;
import io.cloudplane.workflows.common.Activities;
import io.cloudplane.workflows.common.ChangeIds;
import io.cloudplane.workflows.operation.OperationTracker;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;

/**
 * Every step is "delete if present", so running the workflow again after a failure, or twice,
 * ends in the same place: nothing of the environment left, its backups in object storage included
 * (from change {@code delete-backups-with-environment}; their rows go with the environment's), and
 * its code objects (from change {@code delete-code-with-environment}). An environment deleted with
 * its app has no operation of its own: the app's deletion reports it.
 */
public class DeleteEnvironmentWorkflowImpl implements DeleteEnvironmentWorkflow {
    private final EnvironmentActivities environments = Activities.environments();
    private final BackupActivities backups = Activities.backups();
    private final CodeActivities code = Activities.code();

    @Override
    public void delete(DeleteEnvironmentRequest request) {
        String envId = request.envId();
        OperationTracker operation = request.operationId() == null ? OperationTracker.untracked()
                : new OperationTracker(request.operationId());
        try {
            boolean deleteBackups = Workflow.getVersion(ChangeIds.DELETE_BACKUPS_WITH_ENVIRONMENT, Workflow.DEFAULT_VERSION, 1) == 1;
            operation.started();
            operation.step("mark-deleting", () -> environments.setStatus(envId, EnvironmentStatus.DELETING, null));
            EnvironmentTeardown.tearDown(envId, operation);
            if (deleteBackups) {
                operation.step("delete-backups", () -> backups.deleteEnvironmentBackups(request.appId(), envId));
            }
            if (Workflow.getVersion(ChangeIds.DELETE_CODE_WITH_ENVIRONMENT, Workflow.DEFAULT_VERSION, 1) == 1) {
                operation.step("delete-code", () -> code.deleteCode(request.appId(), envId));
            }
            operation.step("forget-environment", () -> environments.forgetEnvironment(envId));
            operation.succeeded();
        } catch (TemporalFailure failure) {
            operation.failed(OperationTracker.reason(failure));
            throw failure;
        }
    }
}
