package io.cloudplane.workflows.operation;

/** One step of an operation, as operators and API callers see it. Times are workflow time in epoch ms. */
public record OperationStep(String name, StepStatus status, long startedAt, Long endedAt, String error) {

    public OperationStep finish(StepStatus newStatus, long at, String failure) {
        return new OperationStep(name, newStatus, startedAt, at, failure);
    }
}
