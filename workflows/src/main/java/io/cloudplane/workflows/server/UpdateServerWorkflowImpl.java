package io.cloudplane.workflows.server;

import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.common.Activities;
import io.cloudplane.workflows.environment.EnvironmentActivities;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationTracker;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.CompletablePromise;
import io.temporal.workflow.Workflow;

/**
 * A server update as a runbook: begin (UPDATING), start the new version's server, wait for its
 * health, switch to it. Until the switch, the previous server is untouched where the runtime can
 * run two (locally); on any failure the new server goes and the previous version serves again,
 * checked healthy, and the update is FAILED with the reason. If the previous version does not
 * come back either, the environment is FAILED with both reasons.
 */
public class UpdateServerWorkflowImpl implements UpdateServerWorkflow {
    private final RuntimeActivities runtime = Activities.runtime();
    private final EnvironmentActivities environments = Activities.environments();

    @Override
    public void update(UpdateServerRequest request) {
        ServerUpdateActivities update = Activities.serverUpdates(request.healthTimeoutSeconds());
        String id = request.updateId();
        OperationTracker op = new OperationTracker(id);
        op.started();
        EndedUpdate ended;
        try {
            ended = op.step("begin", () -> update.beginServerUpdate(id));
        } catch (TemporalFailure failure) {
            // Nothing was touched.
            throw failed(update, op, id, OperationTracker.reason(failure), false, failure);
        }
        if (ended != null) {
            // This update ended in an earlier run: the operation only follows its outcome.
            if (ended.succeeded()) {
                op.succeeded();
                return;
            }
            op.failed(ended.error());
            throw FailureType.UPDATE_FAILED.nonRetryable("update " + id + " failed: " + ended.error());
        }
        try {
            UpdatedServer server = op.step("start-new-server", () -> update.startUpdatedServer(id));
            op.step("await-new-server-healthy", () -> update.awaitUpdatedServerHealthy(id, request.healthTimeoutSeconds()));
            op.step("switch-to-new-server", () -> update.switchToUpdatedServer(id, server));
        } catch (TemporalFailure failure) {
            String reason = OperationTracker.reason(failure);
            boolean rolledBack = rollBack(update, op, request, reason);
            throw failed(update, op, id, reason, rolledBack, failure);
        }
        // Switched: from here nothing is rolled back; recording the outcome is retried until it works instead.
        update.finishServerUpdate(id, true, null, false);
        op.succeeded();
    }

    /**
     * Puts the previous version back, in a detached scope so that it also runs when the workflow is
     * cancelled. Answers whether it serves again; when not, the environment is FAILED with both reasons.
     */
    private boolean rollBack(ServerUpdateActivities update, OperationTracker op, UpdateServerRequest request, String reason) {
        CompletablePromise<Boolean> back = Workflow.newPromise();
        Workflow.newDetachedCancellationScope(() -> {
            try {
                op.step("roll-back", () -> {
                    update.abandonServerUpdate(request.updateId());
                    runtime.awaitHealthy(request.envId());
                });
                back.complete(true);
            } catch (TemporalFailure notBack) {
                environments.setStatus(request.envId(), EnvironmentStatus.FAILED, "the update to " + request.toVersion()
                        + " failed (" + reason + ") and the previous version did not come back: " + OperationTracker.reason(notBack));
                back.complete(false);
            }
        }).run();
        return back.get();
    }

    /** Records the update FAILED (also when the workflow is cancelled) and returns the failure to throw. */
    private ApplicationFailure failed(ServerUpdateActivities update, OperationTracker op, String id, String reason, boolean rolledBack,
                                      TemporalFailure failure) {
        Workflow.newDetachedCancellationScope(() -> {
            update.finishServerUpdate(id, false, reason, rolledBack);
            op.failed(reason);
        }).run();
        return FailureType.UPDATE_FAILED.nonRetryable("update " + id + " failed: " + reason, failure);
    }
}
