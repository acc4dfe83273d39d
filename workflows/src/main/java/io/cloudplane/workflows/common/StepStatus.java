package io.cloudplane.workflows.common;

public enum StepStatus {
    RUNNING, SUCCEEDED, FAILED, SKIPPED
}
