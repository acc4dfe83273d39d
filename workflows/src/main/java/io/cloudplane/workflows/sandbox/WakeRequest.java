package io.cloudplane.workflows.sandbox;

/** A wake: from a login (no operation yet) or from {@code POST /apps/{id}/wake} (its operation). */
public record WakeRequest(String operationId, String actorUserId) {
}
