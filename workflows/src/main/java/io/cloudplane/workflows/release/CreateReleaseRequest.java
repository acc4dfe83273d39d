package io.cloudplane.workflows.release;

/** What {@code release-create/<releaseId>} snapshots; the CREATE_RELEASE operation's ID reports its steps. */
public record CreateReleaseRequest(String operationId, String appId, String releaseId) {
}
