package io.cloudplane.workflows.team;

/** Whose memberships of which app to declare. */
public record MembershipSyncRequest(String appId, String userId) {
}
