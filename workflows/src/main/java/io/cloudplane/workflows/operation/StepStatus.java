package io.cloudplane.workflows.operation;

public enum StepStatus {
    RUNNING, SUCCEEDED, FAILED, SKIPPED
}
