package io.cloudplane.workflows.team;

import io.cloudplane.workflows.common.Activities;
import io.temporal.workflow.Workflow;

/**
 * Reads the person's memberships, then declares or withdraws each environment's; again as long as
 * changes were signalled meanwhile. Continues as new after {@value #RUNS_PER_EXECUTION} passes so
 * that a burst of changes keeps the history small.
 */
public class MembershipSyncWorkflowImpl implements MembershipSyncWorkflow {
    static final int RUNS_PER_EXECUTION = 50;
    private final MembershipActivities memberships = Activities.memberships();
    private boolean again;

    @Override
    public void sync(MembershipSyncRequest request) {
        int passes = 0;
        do {
            again = false;
            for (EnvironmentMembership membership : memberships.readMemberships(request.appId(), request.userId())) {
                if (membership.profile() == null) {
                    memberships.withdrawMembership(request.userId(), membership.envId());
                } else {
                    memberships.declareMembership(request.userId(), membership.envId(), membership.profile());
                }
            }
            passes++;
            if (again && passes >= RUNS_PER_EXECUTION) {
                Workflow.continueAsNew(request);
            }
        } while (again);
    }

    @Override
    public void changed() {
        again = true;
    }
}
