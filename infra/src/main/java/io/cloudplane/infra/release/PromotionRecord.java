package io.cloudplane.infra.release;

import io.cloudplane.infra.persistence.Listed;
import io.cloudplane.workflows.release.PromotionStage;
import io.cloudplane.workflows.release.PromotionStatus;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

/** A release carried dev -> staging -> approval -> production; written by its workflow as it goes. */
@MappedEntity("promotions")
public record PromotionRecord(@Id UUID id, UUID appId, UUID releaseId, UUID stagingEnvId, UUID productionEnvId,
                              PromotionStatus status, PromotionStage stage, @Nullable UUID stagingDeploymentId,
                              @Nullable UUID productionDeploymentId, @Nullable Instant approvalExpiresAt,
                              @Nullable UUID decidedBy, @Nullable Instant decidedAt, @Nullable String decision,
                              @Nullable String decisionComment, @Nullable String error, @Nullable UUID createdBy,
                              Instant createdAt, Instant updatedAt) implements Listed {
}
