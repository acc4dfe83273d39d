package io.cloudplane.workflows.server;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** {@code env-start/<envId>}: starts the server and waits until it is healthy; RUNNING. A no-op when it runs. */
@WorkflowInterface
public interface StartServerWorkflow {
    @WorkflowMethod
    void start(ServerActionRequest request);
}
