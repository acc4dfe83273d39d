package io.cloudplane.workflows.app;

import io.cloudplane.workflows.code.CodeActivities;
import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationTracker;
import io.cloudplane.workflows.environment.EnvironmentActivityStubs;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;

import java.time.Duration;

public class CloneApplicationWorkflowImpl implements CloneApplicationWorkflow {
    private final CodeActivities code = Workflow.newActivityStub(CodeActivities.class, ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(30))
            .setHeartbeatTimeout(Duration.ofMinutes(1))
            .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(4)
                    .setDoNotRetry(FailureType.types(FailureType.NOT_FOUND, FailureType.INVALID_INPUT,
                            FailureType.DIGEST_MISMATCH)).build())
            .build());
    private final CodeActivities cleanup = Workflow.newActivityStub(CodeActivities.class, ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(2))
            .setRetryOptions(RetryOptions.newBuilder().setMaximumInterval(Duration.ofMinutes(1)).build())
            .build());

    @Override
    public void cloneApp(CloneRequest request) {
        String envId = request.envId();
        EnvironmentActivityStubs act = new EnvironmentActivityStubs();
        OperationTracker op = new OperationTracker(request.operationId());
        op.started();
        try {
            op.step("create-database", () -> act.databases.createDatabase(envId));
            op.step("create-folders", () -> act.files.createFolders(envId));
            op.step("copy-code", () -> code.copyCode(request.operationId()));
            op.step("install-code", () -> code.installCode(request.operationId()));
            op.step("start-server", () -> act.runtime.startServer(envId));
            op.step("await-healthy", () -> act.health.awaitHealthy(envId));
            op.step("record-running", () -> act.environments.setStatus(envId, EnvironmentStatus.RUNNING, null));
            op.succeeded();
        } catch (TemporalFailure failure) {
            String reason = OperationTracker.reason(failure);
            Workflow.newDetachedCancellationScope(() -> {
                String why = reason;
                try {
                    op.step("clean-up", () -> {
                        act.tearDown(envId);
                        cleanup.deleteCode(request.appId(), envId);
                    });
                } catch (TemporalFailure notCleaned) {
                    why = reason + "; the clean-up failed too, and is retried by deleting the app: "
                            + OperationTracker.reason(notCleaned);
                }
                act.environments.setStatus(envId, EnvironmentStatus.FAILED, why);
                op.failed(why);
            }).run();
            throw FailureType.CLONE_FAILED.nonRetryable("clone into app " + request.appId() + " failed: " + reason, failure);
        }
    }
}
