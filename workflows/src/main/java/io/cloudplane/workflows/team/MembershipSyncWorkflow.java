package io.cloudplane.workflows.team;

import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * {@code membership-sync/<appId>/<userId>}: brings the identity provider's declaration of one
 * person's memberships of one app in line with Cloudplane's tables, environment by environment.
 * State-based, so a repeated or late run is harmless. Started with the signal {@link #changed}
 * (signal-with-start) on every membership change: a run already going runs once more.
 */
@WorkflowInterface
public interface MembershipSyncWorkflow {

    @WorkflowMethod
    void sync(MembershipSyncRequest request);

    /** The person's memberships changed again: read them once more before ending. */
    @SignalMethod
    void changed();
}
