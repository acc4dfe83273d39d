package io.cloudplane.infra.temporal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;

import java.util.Optional;

/** Looks up the latest run of a workflow by its business ID. */
public final class WorkflowExecutions {
    private WorkflowExecutions() {
    }

    /** True when the latest run of the workflow is running; false when it ended or is unknown. */
    public static boolean isRunning(WorkflowClient client, String workflowId) {
        return describe(client, workflowId)
                .map(info -> info.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING).orElse(false);
    }

    /** Empty when Temporal has never heard of the ID (or has forgotten it). */
    public static Optional<WorkflowExecutionInfo> describe(WorkflowClient client, String workflowId) {
        try {
            return Optional.of(client.getWorkflowServiceStubs().blockingStub().describeWorkflowExecution(
                    DescribeWorkflowExecutionRequest.newBuilder()
                            .setNamespace(client.getOptions().getNamespace())
                            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                            .build()).getWorkflowExecutionInfo());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
