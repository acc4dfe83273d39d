package io.cloudplane.workflows.server;

import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationTracker;
import io.cloudplane.workflows.environment.EnvironmentActivityStubs;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;

/**
 * The three server actions, each a runbook of a few steps. A start that fails leaves the
 * environment FAILED with the reason; a stop that fails leaves the status as it was.
 */
public final class ServerActionWorkflowsImpl {
    private ServerActionWorkflowsImpl() {
    }

    public static class Stop implements StopServerWorkflow {
        @Override
        public void stop(ServerActionRequest request) {
            run(request, (act, op, envId) -> {
                EnvironmentStatus target = request.stoppedStatus() == null ? EnvironmentStatus.STOPPED : request.stoppedStatus();
                EnvironmentStatus status = op.step("read-status", () -> act.environments.getStatus(envId));
                if (status == target) {
                    op.skip("already-" + target.name().toLowerCase());
                    return;
                }
                op.step("stop-server", () -> act.runtime.stopServer(envId));
                op.step("record-" + target.name().toLowerCase(), () -> act.environments.setStatus(envId, target, null));
            }, false);
        }
    }

    public static class Start implements StartServerWorkflow {
        @Override
        public void start(ServerActionRequest request) {
            run(request, (act, op, envId) -> {
                EnvironmentStatus status = op.step("read-status", () -> act.environments.getStatus(envId));
                if (status == EnvironmentStatus.RUNNING) {
                    op.skip("already-running");
                    return;
                }
                startAndAwait(act, op, envId);
            }, true);
        }
    }

    public static class Restart implements RestartServerWorkflow {
        @Override
        public void restart(ServerActionRequest request) {
            run(request, (act, op, envId) -> {
                if (Workflow.getVersion(io.cloudplane.workflows.common.ChangeIds.RESTART_IN_PLACE, Workflow.DEFAULT_VERSION, 1) == 1) {
                    op.step("restart-server", () -> act.runtime.restartServer(envId));
                    awaitAndRecordRunning(act, op, envId);
                    return;
                }
                op.step("stop-server", () -> act.runtime.stopServer(envId));
                startAndAwait(act, op, envId);
            }, true);
        }
    }

    private static void startAndAwait(EnvironmentActivityStubs act, OperationTracker op, String envId) {
        op.step("start-server", () -> act.runtime.startServer(envId));
        awaitAndRecordRunning(act, op, envId);
    }

    private static void awaitAndRecordRunning(EnvironmentActivityStubs act, OperationTracker op, String envId) {
        op.step("await-healthy", () -> act.health.awaitHealthy(envId));
        op.step("record-running", () -> act.environments.setStatus(envId, EnvironmentStatus.RUNNING, null));
    }

    private interface Body {
        void run(EnvironmentActivityStubs act, OperationTracker operation, String envId);
    }

    private static void run(ServerActionRequest request, Body body, boolean failEnvironmentOnError) {
        EnvironmentActivityStubs act = new EnvironmentActivityStubs();
        OperationTracker operation = new OperationTracker(request.operationId());
        operation.started();
        try {
            body.run(act, operation, request.envId());
            operation.succeeded();
        } catch (TemporalFailure failure) {
            String reason = OperationTracker.reason(failure);
            Workflow.newDetachedCancellationScope(() -> {
                if (failEnvironmentOnError) {
                    act.environments.setStatus(request.envId(), EnvironmentStatus.FAILED, reason);
                }
                operation.failed(reason);
            }).run();
            throw FailureType.SERVER_ACTION_FAILED.nonRetryable(reason, failure);
        }
    }
}
