package io.cloudplane.workflows.release;

import io.cloudplane.workflows.environment.EnvironmentStatus;

/**
 * What a deployment found when it began: the safety backup to take (null when the environment has
 * no backup service), whether the environment already runs exactly this code, and its status then.
 */
public record DeployPlan(String safetyBackupId, boolean alreadyCurrent, EnvironmentStatus previousStatus) {
}
