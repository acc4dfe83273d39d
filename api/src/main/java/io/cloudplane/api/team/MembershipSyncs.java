package io.cloudplane.api.team;

import io.cloudplane.infra.team.MembershipChangedEvent;
import io.cloudplane.infra.team.MembershipSyncRepository;
import io.cloudplane.infra.temporal.WorkflowStarts;
import io.cloudplane.infra.temporal.WorkflowTags;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.team.MembershipSyncRequest;
import io.cloudplane.workflows.team.MembershipSyncWorkflow;
import io.micronaut.runtime.event.annotation.EventListener;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.UUID;

/**
 * Brings the identity provider in line after every membership change: on each
 * {@link MembershipChangedEvent} (published after the change's commit, in the request that made
 * it), the person's {@code membership-sync/<appId>/<userId>} workflow is signalled with start, so a
 * run already going reads the memberships once more. The change's transaction also wrote a
 * {@code membership_syncs} row, forgotten here once the workflow has the signal: if the process
 * dies between the commit and the signal, or Temporal cannot be reached, the row stays and
 * {@link MembershipSyncRecovery} signals it later.
 */
@Singleton
public class MembershipSyncs {
    private static final Logger LOG = LoggerFactory.getLogger(MembershipSyncs.class);
    private final WorkflowClient client;
    private final MembershipSyncRepository requests;
    private final WorkflowStarts starts;

    public MembershipSyncs(WorkflowClient client, MembershipSyncRepository requests, WorkflowStarts starts) {
        this.client = client;
        this.starts = starts;
        this.requests = requests;
    }

    @EventListener
    public void onMembershipChanged(MembershipChangedEvent event) {
        try {
            signal(event.appId(), event.userId());
        } catch (RuntimeException e) {
            LOG.warn("Could not signal the membership sync of user {} in app {} ({}); it is retried by the recovery",
                    event.userId(), event.appId(), e.getMessage());
        }
    }

    /** Signals (or starts) the person's sync, then forgets the requests made up to now. */
    public void signal(UUID appId, UUID userId) {
        Instant upTo = Instant.now();
        MembershipSyncWorkflow workflow = client.newWorkflowStub(MembershipSyncWorkflow.class,
                starts.options(WorkflowIds.membershipSync(appId.toString(), userId.toString()), WorkflowTags.of(appId, null, userId)));
        BatchRequest request = client.newSignalWithStartRequest();
        request.add(workflow::sync, new MembershipSyncRequest(appId.toString(), userId.toString()));
        request.add(workflow::changed);
        client.signalWithStart(request);
        requests.handed(appId, userId, upTo);
    }
}
