package io.cloudplane.workflows.app;

/** What {@code app-clone/<appId>} builds: the new app, its development environment, and the CLONE_APPLICATION operation. */
public record CloneRequest(String operationId, String appId, String envId) {
}
