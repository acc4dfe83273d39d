package io.cloudplane.api.team;

import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.team.InvitationRecord;
import io.cloudplane.infra.team.InvitationRepository;
import io.cloudplane.infra.team.InvitationTokens;
import io.cloudplane.infra.temporal.WorkflowExecutions;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.context.annotation.Property;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A pending invitation whose workflow is missing gets it started again; a young one, or one that has it, is left alone. */
@MicronautTest(transactional = false)
@Property(name = "cloudplane.invitation.recovery.enabled", value = "true")
@Property(name = "cloudplane.invitation.recovery.initial-delay", value = "1h")
class InvitationRecoveryTest {
    @Inject InvitationRecovery recovery;
    @Inject InvitationRepository invitations;
    @Inject UserRepository users;
    @Inject AppRepository apps;
    @Inject EnvironmentRepository environments;
    @Inject WorkflowClient client;

    private InvitationRecord pending(UUID appId, UUID envId, UUID inviter, Instant createdAt) {
        return invitations.save(new InvitationRecord(UUID.randomUUID(), appId, envId, "lost-" + UUID.randomUUID() + "@example.com", "L",
                "O", "user", InvitationRecord.Kind.DEVELOPER, InvitationRecord.Status.PENDING, InvitationTokens.unusable(), inviter, 0,
                createdAt, createdAt.plus(Duration.ofDays(7)), null, null));
    }

    @Test
    void aPendingInvitationWithoutItsWorkflowGetsItStartedAgain() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        UserRecord owner = users.save(new UserRecord(UUID.randomUUID(), "owner-" + UUID.randomUUID() + "@example.com", "O", "W", now));
        AppRecord app = apps.save(new AppRecord(UUID.randomUUID(), owner.id(), "lost-" + UUID.randomUUID(), AppRecord.AppKind.APPLICATION,
                AppRecord.AppStatus.ACTIVE, now, now));
        UUID envId = UUID.randomUUID();
        environments.save(new EnvironmentRecord(envId, app.id(), "development", EnvironmentRecord.EnvironmentType.DEVELOPMENT, null,
                EnvironmentStatus.RUNNING, null, "1.0.0", null, null, EnvironmentRecord.databaseNameFor(envId), null, now, now));
        InvitationRecord lost = pending(app.id(), envId, owner.id(), now.minus(Duration.ofMinutes(5)));
        InvitationRecord young = pending(app.id(), envId, owner.id(), now);

        assertTrue(recovery.recover() >= 1);
        assertTrue(WorkflowExecutions.isRunning(client, WorkflowIds.invitation(lost.id().toString())), "started again");
        assertFalse(WorkflowExecutions.describe(client, WorkflowIds.invitation(young.id().toString())).isPresent(),
                "a young invitation's request may still be starting it");
        recovery.recover();
        assertTrue(WorkflowExecutions.isRunning(client, WorkflowIds.invitation(lost.id().toString())));
    }

    /**
     * Found by CrashHarnessIT (seed 23009802149316): an invitation made 0.5 s before a SIGKILL, whose email had not gone,
     * was within the 30 s grace at the first pass after a quick restart, and had no email 120 s later (next pass: 10
     * minutes). Made before this process started, no request of this process can still be starting its workflow.
     */
    @Test
    void aYoungInvitationMadeBeforeThisProcessStartedGetsItsWorkflowAtTheFirstPass() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        UserRecord owner = users.save(new UserRecord(UUID.randomUUID(), "owner-" + UUID.randomUUID() + "@example.com", "O", "W", now));
        AppRecord app = apps.save(new AppRecord(UUID.randomUUID(), owner.id(), "crashed-" + UUID.randomUUID(), AppRecord.AppKind.APPLICATION,
                AppRecord.AppStatus.ACTIVE, now, now));
        UUID envId = UUID.randomUUID();
        environments.save(new EnvironmentRecord(envId, app.id(), "development", EnvironmentRecord.EnvironmentType.DEVELOPMENT, null,
                EnvironmentStatus.RUNNING, null, "1.0.0", null, null, EnvironmentRecord.databaseNameFor(envId), null, now, now));
        Instant beforeTheCrash = recovery.startedAt().minusSeconds(1).truncatedTo(ChronoUnit.MILLIS);
        assertTrue(beforeTheCrash.isAfter(Instant.now().minusSeconds(30)), "young: within the grace of a request still in flight");
        InvitationRecord lostInTheCrash = pending(app.id(), envId, owner.id(), beforeTheCrash);
        InvitationRecord young = pending(app.id(), envId, owner.id(), now);

        assertTrue(recovery.recover() >= 1);
        assertTrue(WorkflowExecutions.isRunning(client, WorkflowIds.invitation(lostInTheCrash.id().toString())),
                "made before this process started: its request died with the last one");
        assertFalse(WorkflowExecutions.describe(client, WorkflowIds.invitation(young.id().toString())).isPresent(),
                "made by this process a moment ago: its request may still be starting it");
    }
}
