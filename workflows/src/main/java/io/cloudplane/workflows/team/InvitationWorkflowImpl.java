package io.cloudplane.workflows.team;

import io.cloudplane.workflows.common.Activities;
import io.temporal.workflow.Workflow;

import java.time.Duration;

public class InvitationWorkflowImpl implements InvitationWorkflow {
    private final InvitationActivities activities = Activities.invitations();

    private long expiresAt;
    /** Resends signalled, and those whose email was sent: a burst of resends sends the last one's email once. */
    private int resends;
    private int resendsSent;
    private boolean closed;

    @Override
    public void run(InvitationInput input) {
        if (expiresAt == 0) {
            expiresAt = input.expiresAt(); // unless a resend signalled before the first task set it
        }
        activities.sendInvitation(input.invitationId(), expiresAt);
        resendsSent = resends;
        while (true) {
            if (closed) {
                return;
            }
            if (resendsSent < resends) {
                resendsSent = resends;
                activities.sendInvitation(input.invitationId(), expiresAt);
                continue;
            }
            long left = expiresAt - Workflow.currentTimeMillis();
            if (left <= 0) {
                activities.expireInvitation(input.invitationId(), expiresAt);
                return;
            }
            Workflow.await(Duration.ofMillis(left), () -> closed || resendsSent < resends);
        }
    }

    @Override
    public void resent(long newExpiresAt) {
        expiresAt = newExpiresAt;
        resends++;
    }

    @Override
    public void closed() {
        closed = true;
    }
}
