package io.cloudplane.workflows.release;

/**
 * What {@code deploy/<deploymentId>} deploys. The deployment's ID is also its DEPLOY_RELEASE
 * operation's ID. {@code healthTimeoutSeconds} bounds the health check of the new server.
 */
public record DeployRequest(String deploymentId, String appId, String envId, String releaseId, int healthTimeoutSeconds) {
}
