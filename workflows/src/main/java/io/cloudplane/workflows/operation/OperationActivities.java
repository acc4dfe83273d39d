package io.cloudplane.workflows.operation;

import io.temporal.activity.ActivityInterface;

/** Run as a local activity: writes a workflow's progress to its Operation row. Idempotent. */
@ActivityInterface
public interface OperationActivities {
    void record(OperationProgress progress);
}
