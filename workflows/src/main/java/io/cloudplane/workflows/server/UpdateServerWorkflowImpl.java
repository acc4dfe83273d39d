package io.cloudplane.workflows.server;

import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationTracker;
import io.cloudplane.workflows.environment.EnvironmentActivityStubs;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;

import java.time.Duration;

/**
 * A server update as a runbook: begin (UPDATING), start the new version's server, wait for its
 * health, switch to it. Until the switch, the previous server is untouched where the runtime can
 * run two (locally); on any failure the new server goes and the previous version serves again,
 * checked healthy, and the update is FAILED with the reason. If the previous version does not
 * come back either, the environment is FAILED with both reasons.
 */
public class UpdateServerWorkflowImpl implements UpdateServerWorkflow {
    private static final String[] NON_RETRYABLE = FailureType.types(FailureType.INVALID_INPUT, FailureType.NOT_FOUND);
    private final ServerUpdateActivities steps = Workflow.newActivityStub(ServerUpdateActivities.class, ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(2))
            .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofMillis(500))
                    .setMaximumInterval(Duration.ofSeconds(30)).setMaximumAttempts(5).setDoNotRetry(NON_RETRYABLE).build())
            .build());
    /**
     * Putting things back and recording the outcome are retried until they work (a database that is
     * away for an hour must not leave the environment UPDATING for good), unless plainly impossible.
     */
    private final ServerUpdateActivities undo = Workflow.newActivityStub(ServerUpdateActivities.class, ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(2))
            .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(1))
                    .setMaximumInterval(Duration.ofMinutes(1)).setMaximumAttempts(0).setDoNotRetry(NON_RETRYABLE).build())
            .build());

    @Override
    public void update(UpdateServerRequest request) {
        ServerUpdateActivities health = Workflow.newActivityStub(ServerUpdateActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(request.healthTimeoutSeconds() + 30L))
                .setHeartbeatTimeout(Duration.ofSeconds(30))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
        EnvironmentActivityStubs act = new EnvironmentActivityStubs();
        String id = request.updateId();
        OperationTracker op = new OperationTracker(id);
        op.started();
        EndedUpdate ended;
        try {
            ended = op.step("begin", () -> steps.beginServerUpdate(id));
        } catch (TemporalFailure failure) {
            // Nothing was touched.
            fail(op, id, OperationTracker.reason(failure), false, failure);
            return;
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
            UpdatedServer server = op.step("start-new-server", () -> steps.startUpdatedServer(id));
            op.step("await-new-server-healthy", () -> health.awaitUpdatedServerHealthy(id, request.healthTimeoutSeconds()));
            op.step("switch-to-new-server", () -> steps.switchToUpdatedServer(id, server));
        } catch (TemporalFailure failure) {
            String reason = OperationTracker.reason(failure);
            boolean[] back = {false};
            Workflow.newDetachedCancellationScope(() -> {
                try {
                    op.step("roll-back", () -> {
                        undo.abandonServerUpdate(id);
                        act.health.awaitHealthy(request.envId());
                    });
                    back[0] = true;
                } catch (TemporalFailure notBack) {
                    act.environments.setStatus(request.envId(), EnvironmentStatus.FAILED, "the update to " + request.toVersion()
                            + " failed (" + reason + ") and the previous version did not come back: " + OperationTracker.reason(notBack));
                }
            }).run();
            fail(op, id, reason, back[0], failure);
        }
        // Switched: from here nothing is rolled back; recording the outcome is retried longer instead.
        undo.finishServerUpdate(id, true, null, false);
        op.succeeded();
    }

    private void fail(OperationTracker op, String id, String reason, boolean rolledBack, TemporalFailure failure) {
        Workflow.newDetachedCancellationScope(() -> {
            undo.finishServerUpdate(id, false, reason, rolledBack);
            op.failed(reason);
        }).run();
        throw FailureType.UPDATE_FAILED.nonRetryable("update " + id + " failed: " + reason, failure);
    }
}
