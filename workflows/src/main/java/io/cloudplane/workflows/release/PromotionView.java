package io.cloudplane.workflows.release;

/**
 * A promotion as it stands: its status, and the stage it is in (or stopped in). Outcomes: null
 * (not started), RUNNING, SUCCEEDED, FAILED.
 * Times are epoch milliseconds, or 0 when not yet known.
 */
public record PromotionView(String promotionId, PromotionStatus status, PromotionStage stage, String stagingDeploymentId,
                            String stagingOutcome, String productionDeploymentId, String productionOutcome,
                            long approvalExpiresAt, String decision, String decidedBy, long decidedAt, String comment,
                            String error) {
}
