package io.cloudplane.workflows.release;

/**
 * What {@code promotion/<promotionId>} promotes. Only {@code ownerId} may decide; the decision must
 * come within {@code approvalTimeoutSeconds} of staging's successful deployment.
 */
public record PromotionRequest(String promotionId, String appId, String releaseId, String stagingEnvId,
                               String productionEnvId, String ownerId, String requestedBy, long approvalTimeoutSeconds,
                               int healthTimeoutSeconds) {
}
