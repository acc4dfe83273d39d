package io.cloudplane.api.team;

import io.cloudplane.workflows.common.TaskQueues;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.team.InvitationInput;
import io.cloudplane.workflows.team.InvitationWorkflow;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
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

    public InvitationWorkflows(WorkflowClient client) {
        this.client = client;
    }

    public void start(UUID invitationId, Instant expiresAt) {
        try {
            WorkflowClient.start(newStub(invitationId)::run, new InvitationInput(invitationId.toString(), expiresAt.toEpochMilli()));
        } catch (WorkflowExecutionAlreadyStarted running) {
            LOG.debug("The workflow of invitation {} runs already", invitationId);
        }
    }

    /**
     * The resend's signal, starting the workflow again if it is gone (its email then goes with the new
     * expiry, once): the old token stopped working, so the new email must go.
     */
    public void resent(UUID invitationId, Instant newExpiresAt) {
        InvitationWorkflow workflow = newStub(invitationId);
        BatchRequest request = client.newSignalWithStartRequest();
        request.add(workflow::run, new InvitationInput(invitationId.toString(), newExpiresAt.toEpochMilli()));
        request.add(workflow::resent, newExpiresAt.toEpochMilli());
        client.signalWithStart(request);
    }

    private InvitationWorkflow newStub(UUID invitationId) {
        return client.newWorkflowStub(InvitationWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(WorkflowIds.invitation(invitationId.toString()))
                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                .build());
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
