package io.cloudplane.workflows.team;

import io.temporal.activity.ActivityInterface;

/** What the invitation workflow does outside itself: the email, and the expiry. */
@ActivityInterface
public interface InvitationActivities {
    /**
     * Sends the invitation's email, with a new token valid until {@code expiresAt}, once per
     * (invitation, expiry). The token is made here and only its SHA-256 is stored, so it never passes
     * through the workflow's history. Nothing is sent when the invitation is no longer pending with
     * that expiry (accepted, revoked, or resent meanwhile).
     */
    void sendInvitation(String invitationId, long expiresAt);

    /**
     * Marks the invitation EXPIRED, with its activity-log entry, only if it is still PENDING with this
     * expiry: idempotent, and a no-op after an accept, a revocation or a resend.
     */
    void expireInvitation(String invitationId, long expiresAt);
}
