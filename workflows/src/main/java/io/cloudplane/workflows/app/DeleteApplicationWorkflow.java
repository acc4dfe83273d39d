package io.cloudplane.workflows.app;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** {@code app-delete/<appId>}: deletes every environment (each a child {@code env-delete/<envId>}), then the app. */
@WorkflowInterface
public interface DeleteApplicationWorkflow {
    @WorkflowMethod
    void delete(DeleteApplicationRequest request);
}
