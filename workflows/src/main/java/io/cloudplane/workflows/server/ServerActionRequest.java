package io.cloudplane.workflows.server;

import io.cloudplane.workflows.environment.EnvironmentStatus;

/**
 * A stop, start or restart of one environment's server. {@code stoppedStatus} is STOPPED for a
 * stop, and SLEEPING when the sandbox lifecycle puts a server to sleep.
 */
public record ServerActionRequest(String operationId, String appId, String envId, EnvironmentStatus stoppedStatus) {
}
