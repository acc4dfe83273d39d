package io.cloudplane.workflows.environment;

import io.cloudplane.workflows.common.ChangeIds;
import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.common.Activities;
import io.cloudplane.workflows.operation.OperationTracker;
import io.cloudplane.workflows.server.RuntimeActivities;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;

/**
 * Provisioning, as a runbook: database, folders, server, health, RUNNING. When a step fails for
 * good, what was created is removed (in a detached scope, so it also runs on cancellation), the
 * environment is FAILED with the reason, and the workflow fails so that operators see it.
 *
 * <p>From change {@code cancellable-provisioning}, a cancel of the workflow is honoured between steps:
 * each step runs in a detached scope, so no activity is left running (a database being created, say)
 * while the clean-up removes what exists; then the environment is FAILED saying it was cancelled, the
 * operation CANCELLED, and the workflow ends cancelled.
 */
public class ProvisionEnvironmentWorkflowImpl implements ProvisionEnvironmentWorkflow {
    static final String CANCELLED = "Provisioning was cancelled on request; what it had made was removed. "
            + "Delete this environment, or create it again.";
    private final DatabaseActivities databases = Activities.databases();
    private final FileActivities files = Activities.files();
    private final RuntimeActivities runtime = Activities.runtime();
    private final EnvironmentActivities environments = Activities.environments();

    @Override
    public void provision(ProvisionRequest request) {
        String envId = request.envId();
        OperationTracker operation = new OperationTracker(request.operationId());
        boolean cancellable = Workflow.getVersion(ChangeIds.CANCELLABLE_PROVISIONING, Workflow.DEFAULT_VERSION, 1) == 1;
        CancellationScope root = CancellationScope.current();
        Steps steps = cancellable ? (name, body) -> {
            if (root.isCancelRequested()) {
                throw new CanceledFailure("cancelled before step " + name);
            }
            Workflow.newDetachedCancellationScope(() -> operation.step(name, body)).run();
        } : operation::step;
        if (!cancellable) {
            operation.started();
        }
        try {
            if (cancellable) { // a cancel that came before the first task: nothing made, still reported
                Workflow.newDetachedCancellationScope(operation::started).run();
            }
            steps.run("create-database", () -> databases.createDatabase(envId));
            steps.run("create-folders", () -> files.createFolders(envId));
            steps.run("start-server", () -> runtime.startServer(envId));
            steps.run("await-healthy", () -> runtime.awaitHealthy(envId));
            steps.run("record-running", () -> environments.setStatus(envId, EnvironmentStatus.RUNNING, null));
            operation.succeeded();
        } catch (CanceledFailure cancel) {
            if (!cancellable) {
                throw failed(envId, operation, cancel);
            }
            Workflow.newDetachedCancellationScope(() -> {
                operation.step("clean-up", () -> EnvironmentTeardown.tearDown(envId));
                environments.setStatus(envId, EnvironmentStatus.FAILED, CANCELLED);
                operation.cancelled(CANCELLED);
            }).run();
            throw cancel;
        } catch (TemporalFailure failure) {
            throw failed(envId, operation, failure);
        }
    }

    private RuntimeException failed(String envId, OperationTracker operation, TemporalFailure failure) {
        String reason = OperationTracker.reason(failure);
        Workflow.newDetachedCancellationScope(() -> {
            operation.step("clean-up", () -> EnvironmentTeardown.tearDown(envId));
            environments.setStatus(envId, EnvironmentStatus.FAILED, reason);
            operation.failed(reason);
        }).run();
        return FailureType.PROVISIONING_FAILED.nonRetryable(
                "Provisioning of environment " + envId + " failed: " + reason, failure);
    }

    @FunctionalInterface
    private interface Steps {
        void run(String name, Runnable body);
    }
}
