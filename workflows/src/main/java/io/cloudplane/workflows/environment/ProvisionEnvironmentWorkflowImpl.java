package io.cloudplane.workflows.environment;

import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.common.Activities;
import io.cloudplane.workflows.operation.OperationTracker;
import io.cloudplane.workflows.server.RuntimeActivities;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;

/**
 * Provisioning, as a runbook: database, folders, server, health, RUNNING. When a step fails for
 * good, what was created is removed (in a detached scope, so it also runs on cancellation), the
 * environment is FAILED with the reason, and the workflow fails so that operators see it.
 */
public class ProvisionEnvironmentWorkflowImpl implements ProvisionEnvironmentWorkflow {
    private final DatabaseActivities databases = Activities.databases();
    private final FileActivities files = Activities.files();
    private final RuntimeActivities runtime = Activities.runtime();
    private final EnvironmentActivities environments = Activities.environments();

    @Override
    public void provision(ProvisionRequest request) {
        String envId = request.envId();
        OperationTracker operation = new OperationTracker(request.operationId());
        operation.started();
        try {
            operation.step("create-database", () -> databases.createDatabase(envId));
            operation.step("create-folders", () -> files.createFolders(envId));
            operation.step("start-server", () -> runtime.startServer(envId));
            operation.step("await-healthy", () -> runtime.awaitHealthy(envId));
            operation.step("record-running", () -> environments.setStatus(envId, EnvironmentStatus.RUNNING, null));
            operation.succeeded();
        } catch (TemporalFailure failure) {
            String reason = OperationTracker.reason(failure);
            Workflow.newDetachedCancellationScope(() -> {
                operation.step("clean-up", () -> EnvironmentTeardown.tearDown(envId));
                environments.setStatus(envId, EnvironmentStatus.FAILED, reason);
                operation.failed(reason);
            }).run();
            throw FailureType.PROVISIONING_FAILED.nonRetryable(
                    "Provisioning of environment " + envId + " failed: " + reason, failure);
        }
    }
}
