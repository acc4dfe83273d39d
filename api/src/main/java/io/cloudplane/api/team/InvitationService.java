package io.cloudplane.api.team;

import io.cloudplane.api.environment.EnvironmentServices;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.code.ApplicationRoles;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.environment.EnvironmentUserRecord;
import io.cloudplane.infra.environment.EnvironmentUserRepository;
import io.cloudplane.infra.operation.ActivityLogRecord;
import io.cloudplane.infra.operation.ActivityLogRepository;
import io.cloudplane.infra.team.InvitationRecord;
import io.cloudplane.infra.team.InvitationRecord.Kind;
import io.cloudplane.infra.team.InvitationRecord.Status;
import io.cloudplane.infra.team.InvitationRepository;
import io.cloudplane.infra.team.InvitationSettings;
import io.cloudplane.infra.team.InvitationTokens;
import io.cloudplane.infra.team.MembershipChangedEvent;
import io.cloudplane.infra.team.TeamDirectory;
import io.micronaut.data.exceptions.DataAccessException;
import jakarta.inject.Singleton;
import io.micronaut.transaction.annotation.Transactional;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/**
 * Invitations and the memberships they make. Each method writes its rows and activity-log entry in
 * one transaction; the caller starts or signals the invitation's workflow and publishes the
 * {@link MembershipChangedEvent} after the commit.
 */
@Singleton
public class InvitationService {
    static final String INVITED = "member-invited";
    static final String ACCEPTED = "invitation-accepted";
    static final String RESENT = "invitation-resent";
    static final String REVOKED = "invitation-revoked";
    private static final Duration WINDOW = Duration.ofHours(24);
    /** Longer than any token (43 characters): a longer one is not ours, and is not hashed. */
    private static final int MAX_TOKEN_LENGTH = 128;

    private final AccessService access;
    private final InvitationRepository invitations;
    private final UserRepository users;
    private final AppMemberRepository members;
    private final EnvironmentUserRepository environmentUsers;
    private final EnvironmentRepository environments;
    private final io.cloudplane.infra.app.AppRepository apps;
    private final ApplicationRoles roles;
    private final ActivityLogRepository activityLog;
    private final TeamDirectory directory;
    private final InvitationSettings settings;
    private final io.cloudplane.infra.team.MembershipSyncRepository syncs;
    private final io.cloudplane.api.app.AppService appService;

    public InvitationService(AccessService access, InvitationRepository invitations, UserRepository users, AppMemberRepository members,
                             EnvironmentUserRepository environmentUsers, EnvironmentRepository environments,
                             io.cloudplane.infra.app.AppRepository apps, ApplicationRoles roles, ActivityLogRepository activityLog,
                             TeamDirectory directory, InvitationSettings settings,
                             io.cloudplane.infra.team.MembershipSyncRepository syncs, io.cloudplane.api.app.AppService appService) {
        this.syncs = syncs;
        this.appService = appService;
        this.access = access;
        this.invitations = invitations;
        this.users = users;
        this.members = members;
        this.environmentUsers = environmentUsers;
        this.environments = environments;
        this.apps = apps;
        this.roles = roles;
        this.activityLog = activityLog;
        this.directory = directory;
        this.settings = settings;
    }

    /** An accepted invitation and the event to publish once its transaction committed. */
    public record Joined(InvitationRecord invitation, MembershipChangedEvent event) {
    }

    /**
     * An acceptance by a signed-in account, with the sandbox it was given if it becomes a developer
     * without one (an end user who becomes a developer: every developer has a sandbox), to launch
     * once committed.
     */
    public record Acceptance(Joined joined, @io.micronaut.core.annotation.Nullable io.cloudplane.infra.operation.OperationRecord sandboxProvisioning) {
    }

    /**
     * The environment, if the caller may invite to it (and resend, and revoke): 404 for what they do
     * not see; 403 for an end user, and for a developer in production (the owner's alone).
     */
    public EnvironmentRecord requireInviter(UUID caller, UUID appId, UUID envId) {
        Access a = access.requireApp(caller, appId);
        EnvironmentRecord env = access.requireEnvironment(a, envId);
        a.requireTeam("Only the app's owner and developers invite people");
        a.requireOwnerFor(env, "Only the app's owner invites people to production");
        return env;
    }

    /** What an invitation to this environment makes of the invitee, by the services matrix; 422 naming why where it has neither. */
    static Kind kindFor(AppRecord app, EnvironmentRecord env) {
        if (app.kind() == AppRecord.AppKind.SANDBOX) {
            throw ApiException.unprocessable("A sandbox is its owner's alone and has no \"invite developers\" or \"invite users\" service: "
                    + "clone it into an application to invite people");
        }
        EnvironmentServices services = EnvironmentServices.of(env.type());
        if (services.inviteDevelopers()) {
            return Kind.DEVELOPER;
        }
        if (services.inviteUsers()) {
            return Kind.USER;
        }
        throw ApiException.unprocessable("The environment '" + env.name() + "' (" + env.type().name().toLowerCase()
                + ") has neither the \"invite developers\" nor the \"invite users\" service");
    }

    @Transactional
    public InvitationRecord invite(UUID caller, UUID appId, UUID envId, TeamRequests.Invite request) {
        EnvironmentRecord env = requireInviter(caller, appId, envId);
        AppRecord app = apps.findById(appId).orElseThrow(() -> ApiException.notFound("App " + appId));
        Kind kind = kindFor(app, env);
        String profile = validProfile(envId, request.profile());
        String email = request.email().strip();
        UserRecord inviter = users.findById(caller).orElseThrow(() -> ApiException.notFound("User " + caller));
        if (inviter.email().equalsIgnoreCase(email)) {
            throw ApiException.conflict("You cannot invite yourself");
        }
        users.findByEmailIgnoringCase(email).ifPresent(invitee -> {
            if (members.findById(new AppMemberRecord.Key(appId, invitee.id())).isPresent()) {
                throw ApiException.conflict(email + " is already a member of this app");
            }
            if (kind == Kind.USER && environmentUsers.existsById(new EnvironmentUserRecord.Key(envId, invitee.id()))) {
                throw ApiException.conflict(email + " is already a user of this environment");
            }
        });
        if (invitations.existsPending(envId, email)) {
            throw pendingConflict(email);
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        requireUnderDailyLimit(appId, now);
        InvitationRecord invitation = new InvitationRecord(UUID.randomUUID(), appId, envId, email, request.firstName().strip(),
                request.lastName().strip(), profile, kind, Status.PENDING, InvitationTokens.unusable(), caller, 0, now,
                now.plus(settings.ttl()).truncatedTo(ChronoUnit.MILLIS), null, null);
        try {
            invitations.save(invitation);
        } catch (DataAccessException e) {
            throw pendingConflict(email); // invited at the same moment by someone else (the one-pending index)
        }
        log(invitation, INVITED, caller);
        return invitation;
    }

    private static ApiException pendingConflict(String email) {
        return ApiException.conflict(email + " has a pending invitation to this environment already: resend it instead "
                + "(POST …/members/invitations/{id}/resend)");
    }

    /** The profile as the application spells it: 400 naming {@code profile} with the valid ones; 422 if the roles.json is not valid. */
    private String validProfile(UUID envId, String given) {
        ApplicationRoles.Profiles profiles;
        try {
            profiles = roles.of(envId);
        } catch (ApplicationRoles.InvalidRolesException e) {
            throw ApiException.unprocessable("profile", e.getMessage());
        }
        return profiles.find(given).orElseThrow(() -> ApiException.badRequest("profile", "unknown profile '" + given
                + "': must be one of " + String.join(", ", profiles.names())
                + (profiles.source() == ApplicationRoles.Profiles.Source.DEFAULT ? " (the default: the code has no roles.json)" : "")));
    }

    /** At most {@code daily-limit} invitations per app in any 24 hours, counted from the rows: 429 with when the next one may go. */
    private void requireUnderDailyLimit(UUID appId, Instant now) {
        invitations.lockAppInvitations(appId);
        List<Instant> recent = invitations.findCreatedSince(appId, now.minus(WINDOW));
        int limit = settings.dailyLimit();
        if (recent.size() >= limit) {
            Instant frees = recent.get(recent.size() - limit).plus(WINDOW);
            Duration wait = Duration.between(now, frees);
            throw ApiException.tooManyRequests("This app has sent " + limit + " invitations in the last 24 hours, the most it may; "
                    + "try again later", wait.isNegative() || wait.isZero() ? Duration.ofSeconds(1) : wait);
        }
    }

    /** A pending invitation of this environment, for a resend or a revocation by someone who may invite there. */
    private InvitationRecord requireOwnInvitation(UUID caller, UUID appId, UUID envId, UUID invitationId) {
        requireInviter(caller, appId, envId);
        return invitations.findById(invitationId).filter(i -> i.appId().equals(appId) && i.envId().equals(envId))
                .orElseThrow(() -> ApiException.notFound("Invitation " + invitationId));
    }

    /** A new token (the old one stops working at once) and a new expiry; the workflow sends the new email. */
    @Transactional
    public InvitationRecord resend(UUID caller, UUID appId, UUID envId, UUID invitationId) {
        InvitationRecord invitation = requireOwnInvitation(caller, appId, envId, invitationId);
        Instant expiresAt = Instant.now().plus(settings.ttl()).truncatedTo(ChronoUnit.MILLIS);
        if (!invitation.usableAt(Instant.now()) || invitations.resend(invitationId, expiresAt, InvitationTokens.unusable()) == 0) {
            throw ApiException.conflict("The invitation is " + statusOf(invitation).toLowerCase() + ": invite " + invitation.email()
                    + " again instead");
        }
        log(invitation, RESENT, caller);
        return invitations.findById(invitationId).orElseThrow();
    }

    /** REVOKED; a second revocation changes nothing. False when it was revoked already. */
    @Transactional
    public boolean revoke(UUID caller, UUID appId, UUID envId, UUID invitationId) {
        InvitationRecord invitation = requireOwnInvitation(caller, appId, envId, invitationId);
        if (invitation.status() == Status.REVOKED) {
            return false;
        }
        if (invitations.close(invitationId, Status.REVOKED.name(), null, Instant.now()) == 0) {
            throw ApiException.conflict("The invitation is " + invitations.findById(invitationId).map(i -> i.status().name())
                    .orElse("gone").toLowerCase() + " and can no longer be revoked");
        }
        log(invitation, REVOKED, caller);
        return true;
    }

    /** The invitation a token stands for, if it can still be used: 404 for an unknown token, 410 for one used up. */
    public InvitationRecord usable(String token) {
        InvitationRecord invitation = find(token);
        if (!invitation.usableAt(Instant.now())) {
            throw ApiException.gone("This invitation " + switch (statusOf(invitation)) {
                case "ACCEPTED" -> "was accepted already";
                case "REVOKED" -> "was revoked";
                default -> "expired";
            } + ": ask for a new one");
        }
        return invitation;
    }

    private InvitationRecord find(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            throw ApiException.notFound("Invitation");
        }
        return invitations.findByTokenSha256(InvitationTokens.sha256(token)).orElseThrow(() -> ApiException.notFound("Invitation"));
    }

    /** EXPIRED for a pending invitation past its time that the workflow has not marked yet. */
    private static String statusOf(InvitationRecord invitation) {
        return invitation.status() == Status.PENDING && !Instant.now().isBefore(invitation.expiresAt()) ? "EXPIRED"
                : invitation.status().name();
    }

    /** What the accept page shows. */
    public TeamViews.PublicInvitation describe(String token) {
        InvitationRecord invitation = usable(token);
        String app = apps.findById(invitation.appId()).map(AppRecord::name).orElseThrow(() -> ApiException.notFound("Invitation"));
        String env = environments.findById(invitation.envId()).map(EnvironmentRecord::name)
                .orElseThrow(() -> ApiException.notFound("Invitation"));
        String inviter = users.findById(invitation.invitedBy()).map(u -> u.firstName() + " " + u.lastName()).orElse("a former member");
        return new TeamViews.PublicInvitation(app, env, inviter, invitation.profile(), invitation.kind(), invitation.email(),
                invitation.status(), invitation.expiresAt());
    }

    /** A signed-in account accepts: its email must be the invitation's (403 saying which it is for). */
    @Transactional
    public Acceptance accept(String token, UUID userId) {
        InvitationRecord invitation = usable(token);
        UserRecord user = users.findById(userId).orElseThrow(() -> ApiException.unauthorized("No such account"));
        if (!user.email().equalsIgnoreCase(invitation.email())) {
            throw ApiException.forbidden("This invitation is for " + invitation.email() + ": sign in with that account to accept it");
        }
        Joined joined = join(invitation, user);
        io.cloudplane.infra.operation.OperationRecord sandbox = invitation.kind() == Kind.DEVELOPER && apps.findSandboxOf(user.id()).isEmpty()
                ? appService.createApp(user.id(), io.cloudplane.api.app.AppService.SANDBOX_NAME, io.cloudplane.infra.app.AppRecord.AppKind.SANDBOX)
                : null;
        return new Acceptance(joined, sandbox);
    }

    /**
     * The membership the invitation makes, in the caller's transaction, and ACCEPTED (single use: a
     * concurrent accept finds it closed, 410). A developer becomes a DEVELOPER member of the app with
     * the profile; an end user a user of the environment with the profile.
     */
    @Transactional
    public Joined join(InvitationRecord invitation, UserRecord user) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        if (invitations.close(invitation.id(), Status.ACCEPTED.name(), user.id(), now) == 0) {
            throw ApiException.gone("This invitation was used or withdrawn meanwhile: ask for a new one");
        }
        if (members.findById(new AppMemberRecord.Key(invitation.appId(), user.id())).isPresent()) {
            throw ApiException.conflict("You are already a member of this app");
        }
        if (invitation.kind() == Kind.DEVELOPER) {
            members.save(new AppMemberRecord(new AppMemberRecord.Key(invitation.appId(), user.id()), AppMemberRecord.Role.DEVELOPER,
                    invitation.profile(), now));
        } else {
            EnvironmentUserRecord.Key key = new EnvironmentUserRecord.Key(invitation.envId(), user.id());
            if (environmentUsers.existsById(key)) {
                throw ApiException.conflict("You are already a user of this environment");
            }
            environmentUsers.save(new EnvironmentUserRecord(key, invitation.profile(), now));
        }
        log(invitation, ACCEPTED, user.id());
        // in this transaction: the identity provider's declaration follows even if this process dies right after the commit
        syncs.request(invitation.appId(), user.id(), now);
        return new Joined(invitation, new MembershipChangedEvent(invitation.appId(),
                invitation.kind() == Kind.USER ? invitation.envId() : null, user.id(), MembershipChangedEvent.Change.ADDED));
    }

    /** The environment's members and pending invitations, for its owner and developers (403 for an end user). */
    public TeamViews.Members members(UUID caller, UUID appId, UUID envId) {
        Access a = access.requireApp(caller, appId);
        EnvironmentRecord env = access.requireEnvironment(a, envId);
        a.requireTeam("Only the app's owner and developers see its members");
        return new TeamViews.Members(directory.members(appId, env.id()).stream().map(TeamViews.Member::of).toList(),
                invitations.findPending(env.id()).stream().map(TeamViews.Invitation::of).toList());
    }

    private void log(InvitationRecord invitation, String action, UUID actor) {
        activityLog.appendOnce(invitation.appId(), invitation.envId(), action, actor, ActivityLogRecord.Outcome.SUCCEEDED.name(),
                invitation.email() + " (" + invitation.kind().name().toLowerCase() + ", profile " + invitation.profile() + ")", null,
                Instant.now());
    }
}
