package io.cloudplane.workflows.environment;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** {@code env-provision/<envId>}: database, folders, server, health, then RUNNING. */
@WorkflowInterface
public interface ProvisionEnvironmentWorkflow {
    @WorkflowMethod
    void provision(ProvisionRequest request);
}
