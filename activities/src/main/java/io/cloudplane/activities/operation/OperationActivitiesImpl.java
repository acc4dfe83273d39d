package io.cloudplane.activities.operation;

import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.workflows.operation.OperationActivities;
import io.cloudplane.workflows.operation.OperationProgress;
import jakarta.inject.Singleton;

@Singleton
public class OperationActivitiesImpl implements OperationActivities, ControlPlaneActivities {
    private final OperationProgressRecorder recorder;

    public OperationActivitiesImpl(OperationProgressRecorder recorder) {
        this.recorder = recorder;
    }

    @Override
    public void record(OperationProgress progress) {
        recorder.record(progress);
    }
}
