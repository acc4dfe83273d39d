package io.cloudplane.workflows.release;

import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.common.Activities;
import io.cloudplane.workflows.operation.OperationTracker;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;

/** snapshot -> READY; on failure the object is deleted and the release is FAILED with the reason. */
public class CreateReleaseWorkflowImpl implements CreateReleaseWorkflow {
    private final ReleaseActivities releases = Activities.releases();

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
                releases.markFailed(request.releaseId(), reason);
                op.failed(reason);
            }).run();
            throw FailureType.RELEASE_FAILED.nonRetryable("release " + request.releaseId() + " failed: " + reason, failure);
        }
    }
}
