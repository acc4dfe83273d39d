package io.cloudplane.workflows.team;

/** The invitation's ID and when it expires (epoch milliseconds). */
public record InvitationInput(String invitationId, long expiresAt) {
}
