package io.cloudplane.workflows.release;

/**
 * A promotion as it stands. {@code status}: DEPLOYING_STAGING, AWAITING_APPROVAL,
 * DEPLOYING_PRODUCTION, SUCCEEDED, FAILED, REJECTED, EXPIRED. {@code stage}: STAGING, APPROVAL,
 * PRODUCTION, or DONE once it succeeded. Outcomes: null (not started), RUNNING, SUCCEEDED, FAILED.
 * Times are epoch milliseconds, or 0 when not yet known.
 */
public record PromotionView(String promotionId, String status, String stage, String stagingDeploymentId,
                            String stagingOutcome, String productionDeploymentId, String productionOutcome,
                            long approvalExpiresAt, String decision, String decidedBy, long decidedAt, String comment,
                            String error) {
}
