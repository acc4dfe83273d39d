package io.cloudplane.workflows.environment;

import io.cloudplane.workflows.common.EnvironmentStatus;
import io.cloudplane.workflows.common.OperationTracker;
import io.temporal.failure.TemporalFailure;

/**
 * Every step is "delete if present", so running the workflow again after a failure, or twice,
 * ends in the same place: nothing of the environment left.
 */
public class DeleteEnvironmentWorkflowImpl implements DeleteEnvironmentWorkflow {

    @Override
    public void delete(DeleteEnvironmentRequest request) {
        String envId = request.envId();
        EnvironmentActivityStubs act = new EnvironmentActivityStubs();
        OperationTracker operation = request.operationId() == null ? null : new OperationTracker(request.operationId());
        try {
            if (operation == null) {
                act.environments.setStatus(envId, EnvironmentStatus.DELETING, null);
                act.tearDown(envId);
                act.environments.forgetEnvironment(envId);
                return;
            }
            operation.started();
            operation.step("mark-deleting", () -> act.environments.setStatus(envId, EnvironmentStatus.DELETING, null));
            operation.step("stop-server", () -> act.runtime.stopServer(envId));
            operation.step("drop-database", () -> act.databases.dropDatabase(envId));
            operation.step("delete-folders", () -> act.files.deleteFolders(envId));
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
