package io.cloudplane.workflows.operation;

import java.util.List;

/** What a workflow reports about its operation: written to the Operation row by a local activity. */
public record OperationProgress(String operationId, String workflowId, String runId, OperationStatus status,
                                List<OperationStep> steps, String error) {
}
