package io.cloudplane.api.team;

import io.cloudplane.api.common.RecoveryLoop;
import io.cloudplane.infra.config.CdsTraining;
import io.cloudplane.infra.team.InvitationRecord;
import io.cloudplane.infra.team.InvitationRepository;
import io.cloudplane.infra.temporal.WorkflowExecutions;
import io.cloudplane.workflows.common.WorkflowIds;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;

/**
 * Starts again the workflow of every pending invitation that has none (Temporal unreachable when it
 * was made, the embedded Temporal's memory lost in a restart): without it, its email would never go
 * and it would never expire. A run started again sends the email only if it was not sent for that
 * expiry (and the expiry is still ahead), then expires the invitation at its time.
 */
@Singleton
@Requires(property = "cloudplane.invitation.recovery.enabled", notEquals = "false")
@Requires(notEnv = CdsTraining.ENVIRONMENT) // a training start does nothing but start
public class InvitationRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(InvitationRecovery.class);
    /**
     * An invitation this young, made since this process started, may still be starting its workflow in the request
     * that made it. One made before this process started has no such request left: after a crash its request died
     * with the process (and the embedded Temporal forgot its workflow), so the first pass starts it again, whatever
     * its age; a grace for it would leave its email unsent until the next pass, {@code interval} (10 minutes) later.
     */
    private static final Duration GRACE = Duration.ofSeconds(30);
    private final Instant startedAt = Instant.now();
    private final InvitationRepository invitations;
    private final InvitationWorkflows workflows;
    private final WorkflowClient client;

    public InvitationRecovery(InvitationRepository invitations, InvitationWorkflows workflows, WorkflowClient client) {
        this.invitations = invitations;
        this.workflows = workflows;
        this.client = client;
    }

    /** When this process began looking after invitations: those made before it have no request in flight here. */
    Instant startedAt() {
        return startedAt;
    }

    /** Returns how many workflows it started again. */
    @Scheduled(initialDelay = "${cloudplane.invitation.recovery.initial-delay:4s}",
            fixedDelay = "${cloudplane.invitation.recovery.interval:10m}")
    public int recover() {
        return RecoveryLoop.overPages(LOG, invitations::findPendingPage, InvitationRecord::id,
                invitation -> "check the workflow of invitation " + invitation.id(), this::restart);
    }

    private boolean restart(InvitationRecord invitation) {
        if (invitation.createdAt().isAfter(startedAt) && invitation.createdAt().isAfter(Instant.now().minus(GRACE))
                || WorkflowExecutions.isRunning(client, WorkflowIds.invitation(invitation.id().toString()))) {
            return false;
        }
        workflows.start(invitation);
        LOG.info("Started the workflow of invitation {} again", invitation.id());
        return true;
    }
}
