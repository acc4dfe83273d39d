package io.cloudplane.workflows.server;

/** How an update that had already ended when its workflow began again ended. */
public record EndedUpdate(boolean succeeded, String error) {
}
