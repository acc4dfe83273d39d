package io.cloudplane.workflows.backup;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** {@code backup/<backupId>}: dump, upload, verify by restoring, record; then retention. */
@WorkflowInterface
public interface BackupWorkflow {
    @WorkflowMethod
    void backup(BackupRequest request);
}
