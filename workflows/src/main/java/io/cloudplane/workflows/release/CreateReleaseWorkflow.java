package io.cloudplane.workflows.release;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** {@code release-create/<releaseId>}: the source environment's code, copied to {@code releases/<appId>/<releaseId>.tar.gz}. */
@WorkflowInterface
public interface CreateReleaseWorkflow {
    @WorkflowMethod
    void create(CreateReleaseRequest request);
}
