package io.cloudplane.infra.release;

import io.cloudplane.infra.persistence.Listed;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

/** A release applied to an environment; its ID is the ID of its DEPLOY_RELEASE operation. */
@MappedEntity("deployments")
public record DeploymentRecord(@Id UUID id, UUID appId, UUID envId, UUID releaseId, @Nullable UUID promotionId,
                               boolean isRollback, Status status, @Nullable UUID safetyBackupId, boolean dataRestored,
                               @Nullable String error, @Nullable UUID deployedBy, @Nullable UUID previousReleaseId,
                               @Nullable String previousObjectKey, @Nullable String previousSha256,
                               @Nullable Long previousSizeBytes, @Nullable String previousTree,
                               @Nullable EnvironmentStatus previousStatus, Instant createdAt, @Nullable Instant startedAt,
                               @Nullable Instant finishedAt) implements Listed {

    public enum Status { PENDING, RUNNING, SUCCEEDED, FAILED }

    public static DeploymentRecord pending(UUID id, UUID appId, UUID envId, UUID releaseId, UUID promotionId,
                                           boolean rollback, UUID deployedBy, Instant now) {
        return new DeploymentRecord(id, appId, envId, releaseId, promotionId, rollback, Status.PENDING, null, false, null,
                deployedBy, null, null, null, null, null, null, now, null, null);
    }

    /** The local code tree a deployment unpacks its release into. */
    public static String treeFor(UUID deploymentId) {
        return "d-" + deploymentId;
    }
}
