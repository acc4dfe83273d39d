package io.cloudplane.workflows.server;

import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.common.Activities;
import io.cloudplane.workflows.common.ChangeIds;
import io.cloudplane.workflows.environment.EnvironmentActivities;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationTracker;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;

import java.util.function.Consumer;

/**
 * The three server actions, each a runbook of a few steps. A start that fails leaves the
 * environment FAILED with the reason; a stop that fails leaves the status as it was.
 */
public final class ServerActionWorkflowsImpl {
    private ServerActionWorkflowsImpl() {
    }

    public static class Stop extends ServerAction implements StopServerWorkflow {
        @Override
        public void stop(ServerActionRequest request) {
            run(request, false, envId -> {
                EnvironmentStatus target = request.stoppedStatus() == null ? EnvironmentStatus.STOPPED : request.stoppedStatus();
                EnvironmentStatus status = op.step("read-status", () -> environments.getStatus(envId));
                if (status == target) {
                    op.skip("already-" + target.name().toLowerCase());
                    return;
                }
                op.step("stop-server", () -> runtime.stopServer(envId));
                op.step("record-" + target.name().toLowerCase(), () -> environments.setStatus(envId, target, null));
            });
        }
    }

    public static class Start extends ServerAction implements StartServerWorkflow {
        @Override
        public void start(ServerActionRequest request) {
            run(request, true, envId -> {
                EnvironmentStatus status = op.step("read-status", () -> environments.getStatus(envId));
                if (status == EnvironmentStatus.RUNNING) {
                    op.skip("already-running");
                    return;
                }
                startAndAwait(envId);
            });
        }
    }

    public static class Restart extends ServerAction implements RestartServerWorkflow {
        @Override
        public void restart(ServerActionRequest request) {
            run(request, true, envId -> {
                if (Workflow.getVersion(ChangeIds.RESTART_IN_PLACE, Workflow.DEFAULT_VERSION, 1) == 1) {
                    op.step("restart-server", () -> runtime.restartServer(envId));
                    awaitAndRecordRunning(envId);
                    return;
                }
                op.step("stop-server", () -> runtime.stopServer(envId));
                startAndAwait(envId);
            });
        }
    }

    /** What the three actions share: their activities, their operation, and what a failure leaves behind. */
    abstract static class ServerAction {
        final RuntimeActivities runtime = Activities.runtime();
        final EnvironmentActivities environments = Activities.environments();
        OperationTracker op;

        void run(ServerActionRequest request, boolean failEnvironmentOnError, Consumer<String> body) {
            op = new OperationTracker(request.operationId());
            op.started();
            try {
                body.accept(request.envId());
                op.succeeded();
            } catch (TemporalFailure failure) {
                String reason = OperationTracker.reason(failure);
                Workflow.newDetachedCancellationScope(() -> {
                    if (failEnvironmentOnError) {
                        environments.setStatus(request.envId(), EnvironmentStatus.FAILED, reason);
                    }
                    op.failed(reason);
                }).run();
                throw FailureType.SERVER_ACTION_FAILED.nonRetryable(reason, failure);
            }
        }

        void startAndAwait(String envId) {
            op.step("start-server", () -> runtime.startServer(envId));
            awaitAndRecordRunning(envId);
        }

        void awaitAndRecordRunning(String envId) {
            op.step("await-healthy", () -> runtime.awaitHealthy(envId));
            op.step("record-running", () -> environments.setStatus(envId, EnvironmentStatus.RUNNING, null));
        }
    }
}
