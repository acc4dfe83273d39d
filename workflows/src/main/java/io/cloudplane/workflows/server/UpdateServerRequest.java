package io.cloudplane.workflows.server;

/** {@code updateId} is the ID of the UPDATE_SERVER operation and of its server_updates row. */
public record UpdateServerRequest(String updateId, String appId, String envId, String toVersion, int healthTimeoutSeconds) {
}
