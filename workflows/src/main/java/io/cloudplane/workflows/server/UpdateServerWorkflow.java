package io.cloudplane.workflows.server;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * {@code env-update/<envId>}: moves an environment's server to another version of the catalog. The
 * new server is checked before it takes over; when it is not healthy in time, the previous version
 * serves again and the update ends FAILED with the reason (the workflow fails too).
 */
@WorkflowInterface
public interface UpdateServerWorkflow {
    @WorkflowMethod
    void update(UpdateServerRequest request);
}
