package io.cloudplane.workflows.server;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** {@code env-stop/<envId>}: stops the server; the status becomes STOPPED (or SLEEPING). A no-op when it already is. */
@WorkflowInterface
public interface StopServerWorkflow {
    @WorkflowMethod
    void stop(ServerActionRequest request);
}
