package io.cloudplane.workflows.environment;

import io.cloudplane.workflows.code.CodeActivities;
import io.cloudplane.workflows.backup.BackupActivities;
import io.cloudplane.workflows.common.ChangeIds;
import io.cloudplane.workflows.operation.OperationTracker;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;

import java.time.Duration;

/**
 * Every step is "delete if present", so running the workflow again after a failure, or twice,
 * ends in the same place: nothing of the environment left, its backups in object storage included
 * (from change {@code delete-backups-with-environment}; their rows go with the environment's), and
 * its code objects (from change {@code delete-code-with-environment}).
 */
public class DeleteEnvironmentWorkflowImpl implements DeleteEnvironmentWorkflow {
    private final BackupActivities backups = Workflow.newActivityStub(BackupActivities.class, ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(10))
            .setRetryOptions(RetryOptions.newBuilder().setMaximumInterval(Duration.ofMinutes(1)).build())
            .build());
    private final CodeActivities code = Workflow.newActivityStub(CodeActivities.class, ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(10))
            .setRetryOptions(RetryOptions.newBuilder().setMaximumInterval(Duration.ofMinutes(1)).build())
            .build());

    @Override
    public void delete(DeleteEnvironmentRequest request) {
        String envId = request.envId();
        EnvironmentActivityStubs act = new EnvironmentActivityStubs();
        OperationTracker operation = request.operationId() == null ? null : new OperationTracker(request.operationId());
        try {
            boolean deleteBackups = Workflow.getVersion(ChangeIds.DELETE_BACKUPS_WITH_ENVIRONMENT, Workflow.DEFAULT_VERSION, 1) == 1;
            if (operation == null) {
                act.environments.setStatus(envId, EnvironmentStatus.DELETING, null);
                act.tearDown(envId);
                if (deleteBackups) {
                    backups.deleteEnvironmentBackups(request.appId(), envId);
                }
                if (Workflow.getVersion(ChangeIds.DELETE_CODE_WITH_ENVIRONMENT, Workflow.DEFAULT_VERSION, 1) == 1) {
                    code.deleteCode(request.appId(), envId);
                }
                act.environments.forgetEnvironment(envId);
                return;
            }
            operation.started();
            operation.step("mark-deleting", () -> act.environments.setStatus(envId, EnvironmentStatus.DELETING, null));
            operation.step("stop-server", () -> act.runtime.stopServer(envId));
            if (Workflow.getVersion(ChangeIds.REMOVE_SERVER_WITH_ENVIRONMENT, Workflow.DEFAULT_VERSION, 1) == 1) {
                operation.step("remove-server", () -> act.runtime.removeServer(envId));
            }
            operation.step("drop-database", () -> act.databases.dropDatabase(envId));
            operation.step("delete-folders", () -> act.files.deleteFolders(envId));
            if (deleteBackups) {
                operation.step("delete-backups", () -> backups.deleteEnvironmentBackups(request.appId(), envId));
            }
            if (Workflow.getVersion(ChangeIds.DELETE_CODE_WITH_ENVIRONMENT, Workflow.DEFAULT_VERSION, 1) == 1) {
                operation.step("delete-code", () -> code.deleteCode(request.appId(), envId));
            }
            operation.step("forget-environment", () -> act.environments.forgetEnvironment(envId));
            operation.succeeded();
        } catch (TemporalFailure failure) {
            if (operation != null) {
                operation.failed(OperationTracker.reason(failure));
            }
            throw failure;
        }
    }
}
