package io.cloudplane.workflows.backup;

import io.cloudplane.workflows.common.FailureType;

/**
 * The data steps of a backup, in order. Each is the backup's status while it runs, the step a
 * failed backup records, and the type of the failures that belong to it: {@code DUMPING} when
 * pg_dump failed, {@code UPLOADING} when object storage did, whatever step was running.
 */
public enum BackupStep {
    DUMPING(FailureType.DUMPING),
    UPLOADING(FailureType.UPLOADING),
    VERIFYING(FailureType.VERIFYING);

    private final FailureType failureType;

    BackupStep(FailureType failureType) {
        this.failureType = failureType;
    }

    /** The type of this step's failures. */
    public FailureType failureType() {
        return failureType;
    }
}
