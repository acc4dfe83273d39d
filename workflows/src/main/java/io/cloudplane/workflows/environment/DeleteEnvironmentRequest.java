package io.cloudplane.workflows.environment;

/** {@code operationId} is null when the deletion is part of an app's deletion (a child workflow). */
public record DeleteEnvironmentRequest(String operationId, String appId, String envId) {
}
