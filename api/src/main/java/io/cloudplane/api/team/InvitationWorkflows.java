package io.cloudplane.api.team;

import io.cloudplane.infra.team.InvitationRecord;
import io.cloudplane.infra.temporal.WorkflowStarts;
import io.cloudplane.infra.temporal.WorkflowTags;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.team.InvitationInput;
import io.cloudplane.workflows.team.InvitationWorkflow;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.UUID;

/** Starts and signals the {@code invitation/<id>} workflows. */
@Singleton
public class InvitationWorkflows {
    private static final Logger LOG = LoggerFactory.getLogger(InvitationWorkflows.class);
    private final WorkflowClient client;
    private final WorkflowStarts starts;

    public InvitationWorkflows(WorkflowClient client, WorkflowStarts starts) {
        this.client = client;
        this.starts = starts;
    }

    public void start(InvitationRecord invitation) {
        try {
            WorkflowClient.start(newStub(invitation)::run, new InvitationInput(invitation.id().toString(), invitation.expiresAt().toEpochMilli()));
        } catch (WorkflowExecutionAlreadyStarted running) {
            LOG.debug("The workflow of invitation {} runs already", invitation.id());
        }
    }

    /**
     * The resend's signal, starting the workflow again if it is gone (its email then goes with the new
     * expiry, once): the old token stopped working, so the new email must go.
     */
    public void resent(InvitationRecord invitation) {
        InvitationWorkflow workflow = newStub(invitation);
        BatchRequest request = client.newSignalWithStartRequest();
        request.add(workflow::run, new InvitationInput(invitation.id().toString(), invitation.expiresAt().toEpochMilli()));
        request.add(workflow::resent, invitation.expiresAt().toEpochMilli());
        client.signalWithStart(request);
    }

    /** The invitation's app and environment, and who invited. */
    private InvitationWorkflow newStub(InvitationRecord invitation) {
        return client.newWorkflowStub(InvitationWorkflow.class, starts.options(WorkflowIds.invitation(invitation.id().toString()),
                WorkflowTags.of(invitation.appId(), invitation.envId(), invitation.invitedBy())));
    }

    /** Accepted or revoked: the row is the truth, so a workflow that cannot be told expires nothing (it is not pending any more). */
    public void closed(UUID invitationId) {
        try {
            stub(invitationId).closed();
        } catch (RuntimeException e) {
            LOG.warn("Could not tell invitation {}'s workflow it is closed: {}", invitationId, e.getMessage());
        }
    }

    private InvitationWorkflow stub(UUID invitationId) {
        return client.newWorkflowStub(InvitationWorkflow.class, WorkflowIds.invitation(invitationId.toString()));
    }
}
