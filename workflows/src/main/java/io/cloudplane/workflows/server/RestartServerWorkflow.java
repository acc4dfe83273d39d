package io.cloudplane.workflows.server;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** {@code env-restart/<envId>}: stop, start, health, RUNNING. */
@WorkflowInterface
public interface RestartServerWorkflow {
    @WorkflowMethod
    void restart(ServerActionRequest request);
}
