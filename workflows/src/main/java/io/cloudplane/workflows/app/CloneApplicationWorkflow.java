package io.cloudplane.workflows.app;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * {@code app-clone/<newAppId>}: the new app's development environment is provisioned with an
 * empty database and empty resources, and receives the source's code by a copy inside object
 * storage. On failure, everything the clone created is removed and the environment is FAILED.
 */
@WorkflowInterface
public interface CloneApplicationWorkflow {
    @WorkflowMethod
    void cloneApp(CloneRequest request);
}
