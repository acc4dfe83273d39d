package io.cloudplane.workflows.environment;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** {@code env-delete/<envId>}: stop the server, drop the database and role, remove the files, forget the record. */
@WorkflowInterface
public interface DeleteEnvironmentWorkflow {
    @WorkflowMethod
    void delete(DeleteEnvironmentRequest request);
}
