package io.cloudplane.workflows.release;

/** A deployment a promotion asks for: its deployment and operation rows are written before its workflow starts. */
public record PrepareDeployment(String deploymentId, String appId, String envId, String releaseId, String promotionId,
                                String requestedBy) {
}
