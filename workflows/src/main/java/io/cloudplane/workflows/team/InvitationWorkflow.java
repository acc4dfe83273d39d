package io.cloudplane.workflows.team;

import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * {@code invitation/<invitationId>}: one pending invitation to an environment. Sends the invitation's
 * email, then waits until it expires; a resend (signal {@code resent}) sends a new email and moves the
 * deadline; {@code closed} (accepted or revoked) ends it. At the deadline it marks the invitation
 * EXPIRED, if it is still pending with that deadline.
 */
@WorkflowInterface
public interface InvitationWorkflow {
    @WorkflowMethod
    void run(InvitationInput input);

    /** The invitation was sent again with a new token, valid until {@code newExpiresAt} (epoch milliseconds). */
    @SignalMethod
    void resent(long newExpiresAt);

    /** The invitation was accepted or revoked: nothing more to do. */
    @SignalMethod
    void closed();
}
