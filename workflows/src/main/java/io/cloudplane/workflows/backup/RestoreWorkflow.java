package io.cloudplane.workflows.backup;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** {@code restore/<restoreId>}: safety backup, stop (RESTORING), database, files, start and check health. */
@WorkflowInterface
public interface RestoreWorkflow {
    @WorkflowMethod
    void restore(RestoreRequest request);
}
