package io.cloudplane.workflows.release;

/** The outcome of a deployment that succeeded; a failed one fails its workflow. */
public record DeployResult(String deploymentId, String releaseId, boolean changed, String safetyBackupId) {
}
