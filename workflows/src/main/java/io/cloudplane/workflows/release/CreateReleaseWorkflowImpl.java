package io.cloudplane.workflows.release;

import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.operation.OperationTracker;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;

import java.time.Duration;

/** snapshot -> READY; on failure the object is deleted and the release is FAILED with the reason. */
public class CreateReleaseWorkflowImpl implements CreateReleaseWorkflow {
    private final ReleaseActivities releases = Workflow.newActivityStub(ReleaseActivities.class, ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(10))
            .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(5)
                    .setDoNotRetry(FailureType.types(FailureType.NOT_FOUND, FailureType.INVALID_INPUT)).build())
            .build());
    private final ReleaseActivities cleanup = Workflow.newActivityStub(ReleaseActivities.class, ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(2))
            .setRetryOptions(RetryOptions.newBuilder().setMaximumInterval(Duration.ofMinutes(1)).build())
            .build());

    @Override
    public void create(CreateReleaseRequest request) {
        OperationTracker op = new OperationTracker(request.operationId());
        op.started();
        try {
            op.step("snapshot-code", () -> releases.snapshot(request.releaseId()));
            op.succeeded();
        } catch (TemporalFailure failure) {
            String reason = OperationTracker.reason(failure);
            Workflow.newDetachedCancellationScope(() -> {
                cleanup.markFailed(request.releaseId(), reason);
                op.failed(reason);
            }).run();
            throw FailureType.RELEASE_FAILED.nonRetryable("release " + request.releaseId() + " failed: " + reason, failure);
        }
    }
}
