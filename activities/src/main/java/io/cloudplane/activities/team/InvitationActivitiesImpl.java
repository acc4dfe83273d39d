package io.cloudplane.activities.team;

import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.identity.IdentityProvider;
import io.cloudplane.infra.mail.Mailer;
import io.cloudplane.infra.mail.SentMailRepository;
import io.cloudplane.infra.operation.ActivityLogRecord;
import io.cloudplane.infra.operation.ActivityLogRepository;
import io.cloudplane.infra.team.InvitationRecord;
import io.cloudplane.infra.team.InvitationRepository;
import io.cloudplane.infra.team.InvitationTokens;
import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.team.InvitationActivities;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.UUID;

@Singleton
public class InvitationActivitiesImpl implements InvitationActivities, ControlPlaneActivities {
    /** The activity-log action of an invitation that expired. */
    public static final String EXPIRED = "invitation-expired";
    private final io.micronaut.transaction.TransactionOperations<java.sql.Connection> transactions;
    private final InvitationRepository invitations;
    private final UserRepository users;
    private final AppRepository apps;
    private final EnvironmentRepository environments;
    private final SentMailRepository sent;
    private final Mailer mailer;
    private final IdentityProvider identity;
    private final ActivityLogRepository activityLog;
    private final String consoleUrl;

    public InvitationActivitiesImpl(InvitationRepository invitations, UserRepository users, AppRepository apps,
                                    EnvironmentRepository environments, SentMailRepository sent, Mailer mailer,
                                    IdentityProvider identity, ActivityLogRepository activityLog, CloudplaneSettings settings,
                                    io.micronaut.transaction.TransactionOperations<java.sql.Connection> transactions) {
        this.transactions = transactions;
        this.invitations = invitations;
        this.users = users;
        this.apps = apps;
        this.environments = environments;
        this.sent = sent;
        this.mailer = mailer;
        this.identity = identity;
        this.activityLog = activityLog;
        this.consoleUrl = settings.consoleUrl();
    }

    @Override
    public void sendInvitation(String invitationId, long expiresAt) {
        String key = "invitation/" + invitationId + "/" + expiresAt;
        if (sent.wasSent(key)) {
            return;
        }
        InvitationRecord invitation = invitations.findById(UUID.fromString(invitationId))
                .orElseThrow(() -> FailureType.NOT_FOUND.nonRetryable("invitation " + invitationId));
        Instant expiry = Instant.ofEpochMilli(expiresAt);
        if (invitation.status() != InvitationRecord.Status.PENDING || !invitation.expiresAt().equals(expiry)
                || !Instant.now().isBefore(expiry)) {
            return; // accepted, revoked or resent meanwhile, or past its time (a lost run started again late): no usable token to send
        }
        if (users.findByEmailIgnoringCase(invitation.email()).isEmpty()) {
            identity.prepareInvitee(invitation.email(), invitation.firstName(), invitation.lastName());
        }
        String inviter = users.findById(invitation.invitedBy()).map(u -> u.firstName() + " " + u.lastName()).orElse("A Cloudplane user");
        String appName = apps.findById(invitation.appId()).map(AppRecord::name).orElse("an application");
        String envName = environments.findById(invitation.envId()).map(EnvironmentRecord::name).orElse("an environment");
        // A new token for each attempt: only its digest is kept, so a retry cannot send the one an attempt that died made.
        String token = InvitationTokens.newToken();
        if (invitations.setToken(invitation.id(), expiry, InvitationTokens.sha256(token)) == 0) {
            return;
        }
        mailer.send(InvitationMail.render(invitation, inviter, appName, envName, InvitationMail.acceptLink(consoleUrl, token), expiry));
        sent.markSent(key, Instant.now());
    }

    /**
     * The status and its activity-log entry together, in one transaction: a retry after a failed
     * entry would find nothing to expire. Programmatic, not {@code @Transactional}: an intercepted
     * bean is a generated subclass, whose activity interfaces the worker's registration does not see.
     */
    @Override
    public void expireInvitation(String invitationId, long expiresAt) {
        UUID id = UUID.fromString(invitationId);
        transactions.executeWrite(status -> {
            if (invitations.expire(id, Instant.ofEpochMilli(expiresAt), Instant.now()) == 0) {
                return null; // accepted, revoked, resent, or expired by an earlier attempt
            }
            invitations.findById(id).ifPresent(invitation -> activityLog.appendOnce(invitation.appId(), invitation.envId(), EXPIRED, null,
                    ActivityLogRecord.Outcome.SUCCEEDED.name(), invitation.email() + " (" + invitation.kind().name().toLowerCase()
                            + ", profile " + invitation.profile() + ")", null, Instant.now()));
            return null;
        });
    }
}
