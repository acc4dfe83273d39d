package io.cloudplane.api.team;

import io.cloudplane.api.app.AppService;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.environment.EnvironmentUserRecord;
import io.cloudplane.infra.environment.EnvironmentUserRepository;
import io.cloudplane.infra.operation.ActivityLogRecord;
import io.cloudplane.infra.operation.ActivityLogRepository;
import io.cloudplane.infra.release.PromotionRepository;
import io.cloudplane.infra.team.AppTransferRecord;
import io.cloudplane.infra.team.AppTransferRepository;
import io.cloudplane.infra.team.MembershipChangedEvent;
import io.cloudplane.infra.team.MembershipSyncRepository;
import io.micronaut.data.exceptions.DataAccessException;
import jakarta.inject.Singleton;
import io.micronaut.transaction.annotation.Transactional;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Changes to an app's members and owner. Each method writes its rows, its activity-log entries and
 * the request to declare the change in the identity provider ({@code membership_syncs}) in one
 * transaction, and answers the events the caller publishes once it is committed.
 */
@Singleton
public class TeamChanges {
    static final String PROFILE_CHANGED = "member-profile-changed";
    static final String REMOVED = "member-removed";
    static final String TRANSFER_OFFERED = "transfer-offered";
    static final String TRANSFER_WITHDRAWN = "transfer-withdrawn";
    static final String TRANSFER_ACCEPTED = "transfer-accepted";

    private final AppRepository apps;
    private final AppMemberRepository members;
    private final EnvironmentUserRepository environmentUsers;
    private final EnvironmentRepository environments;
    private final UserRepository users;
    private final AppTransferRepository transfers;
    private final PromotionRepository promotions;
    private final ActivityLogRepository activityLog;
    private final MembershipSyncRepository syncs;

    public TeamChanges(AppRepository apps, AppMemberRepository members, EnvironmentUserRepository environmentUsers,
                       EnvironmentRepository environments, UserRepository users, AppTransferRepository transfers,
                       PromotionRepository promotions, ActivityLogRepository activityLog, MembershipSyncRepository syncs) {
        this.apps = apps;
        this.members = members;
        this.environmentUsers = environmentUsers;
        this.environments = environments;
        this.users = users;
        this.transfers = transfers;
        this.promotions = promotions;
        this.activityLog = activityLog;
        this.syncs = syncs;
    }

    /** A member of one environment as the API shows them. */
    public record Member(UserRecord user, MemberKind kind, boolean owner, String profile, Instant since) {
    }

    public enum MemberKind { DEVELOPER, USER }

    /** The person as a member of the environment: the app's owner or developer, else an end user of it. */
    public Optional<Member> find(UUID appId, UUID envId, UUID userId) {
        Optional<UserRecord> user = users.findById(userId);
        if (user.isEmpty()) {
            return Optional.empty();
        }
        Optional<AppMemberRecord> member = members.findById(new AppMemberRecord.Key(appId, userId));
        if (member.isPresent()) {
            AppMemberRecord m = member.get();
            return Optional.of(new Member(user.get(), MemberKind.DEVELOPER, m.role() == AppMemberRecord.Role.OWNER, m.profile(), m.since()));
        }
        return environmentUsers.findById(new EnvironmentUserRecord.Key(envId, userId))
                .map(u -> new Member(user.get(), MemberKind.USER, false, u.profile(), u.since()));
    }

    /** A developer's profile holds in every environment of the app, an end user's in theirs. */
    @Transactional
    public List<MembershipChangedEvent> changeProfile(AppRecord app, EnvironmentRecord env, Member member, String profile, UUID caller) {
        if (profile.equals(member.profile())) {
            return List.of();
        }
        UUID userId = member.user().id();
        boolean developer = member.kind() == MemberKind.DEVELOPER;
        int changed = developer ? members.updateProfile(app.id(), userId, profile) : environmentUsers.updateProfile(env.id(), userId, profile);
        if (changed != 1) {
            throw ApiException.notFound("Member " + userId); // removed meanwhile
        }
        String detail = member.user().email() + " (" + kind(member) + "): profile " + (member.profile() == null ? "none" : member.profile())
                + " -> " + profile;
        log(developer ? environments.findByAppId(app.id()) : List.of(env), app.id(), PROFILE_CHANGED, caller, detail);
        syncs.request(app.id(), userId, now());
        return List.of(new MembershipChangedEvent(app.id(), developer ? null : env.id(), userId,
                MembershipChangedEvent.Change.PROFILE_CHANGED));
    }

    /** A developer leaves the app (every environment); an end user leaves this environment. Never the owner. */
    @Transactional
    public List<MembershipChangedEvent> remove(AppRecord app, EnvironmentRecord env, Member member, UUID caller) {
        if (member.owner()) {
            throw ApiException.conflict("The owner cannot be removed from their app; transfer the ownership to a developer first");
        }
        UUID userId = member.user().id();
        boolean developer = member.kind() == MemberKind.DEVELOPER;
        if (developer) {
            members.deleteById(new AppMemberRecord.Key(app.id(), userId));
            transfers.deleteOffer(app.id(), userId);
        } else {
            environmentUsers.deleteById(new EnvironmentUserRecord.Key(env.id(), userId));
        }
        String detail = member.user().email() + " (" + kind(member) + ")" + (userId.equals(caller) ? " left" : " was removed");
        log(developer ? environments.findByAppId(app.id()) : List.of(env), app.id(), REMOVED, caller, detail);
        syncs.request(app.id(), userId, now());
        return List.of(new MembershipChangedEvent(app.id(), developer ? null : env.id(), userId, MembershipChangedEvent.Change.REMOVED));
    }

    /** The owner offers the app to one of its developers; a new offer replaces the pending one. */
    @Transactional
    public AppTransferRecord offer(AppRecord app, UUID toUserId, UUID owner) {
        if (app.kind() == AppRecord.AppKind.SANDBOX) {
            throw ApiException.unprocessable("A sandbox belongs to the developer it was made for and cannot be transferred; "
                    + "clone it into an application first");
        }
        AppService.requireActive(app);
        Optional<AppMemberRecord> member = members.findById(new AppMemberRecord.Key(app.id(), toUserId));
        if (member.isEmpty() || member.get().role() != AppMemberRecord.Role.DEVELOPER) {
            throw ApiException.unprocessable("userId", toUserId.equals(owner) ? "you own this app already"
                    : "not a developer of this app: the ownership goes to one of its developers");
        }
        Instant now = now();
        transfers.offer(app.id(), toUserId, owner, now);
        log(environments.findByAppId(app.id()), app.id(), TRANSFER_OFFERED, owner, "to " + email(toUserId));
        return new AppTransferRecord(app.id(), toUserId, owner, now);
    }

    @Transactional
    public void withdraw(AppRecord app, UUID owner) {
        AppTransferRecord offer = transfers.findById(app.id())
                .orElseThrow(() -> ApiException.notFound("A pending ownership transfer of app " + app.id()));
        transfers.deleteById(app.id());
        log(environments.findByAppId(app.id()), app.id(), TRANSFER_WITHDRAWN, owner, "the offer to " + email(offer.toUserId()));
    }

    /**
     * The developer the offer was made to takes the app: its owner_id changes, they become OWNER and
     * the old owner a DEVELOPER, in one transaction. The offer is claimed by deleting it, so two
     * accepts cannot both pass; any refusal below rolls that back.
     */
    @Transactional
    public List<MembershipChangedEvent> accept(AppRecord app, UUID caller) {
        Optional<AppTransferRecord> offer = transfers.findById(app.id()).filter(t -> t.toUserId().equals(caller));
        if (offer.isEmpty() || transfers.deleteOffer(app.id(), caller) != 1) {
            throw ApiException.notFound("An ownership transfer of app " + app.id() + " offered to you");
        }
        AppService.requireActive(app);
        UUID previous = app.ownerId();
        Optional<AppMemberRecord> member = members.findById(new AppMemberRecord.Key(app.id(), caller));
        if (member.isEmpty() || member.get().role() != AppMemberRecord.Role.DEVELOPER) {
            throw ApiException.notFound("An ownership transfer of app " + app.id() + " offered to you");
        }
        // A promotion's approval is the owner's, and the one under way was started with the old owner.
        promotions.findUnfinishedOf(app.id()).ifPresent(p -> {
            throw ApiException.conflict("Promotion " + p.id() + " is under way (" + p.status() + ") and only the owner who started "
                    + "it may decide it; accept the transfer once it has ended");
        });
        if (apps.existsByOwnerAndName(caller, app.name())) {
            throw ApiException.conflict("You already own an app named '" + app.name() + "'; rename or delete yours, then accept");
        }
        Instant now = now();
        try {
            apps.updateOwner(app.id(), caller, now);
        } catch (DataAccessException e) {
            throw ApiException.conflict("You already own an app named '" + app.name() + "'");
        }
        members.updateRole(app.id(), caller, AppMemberRecord.Role.OWNER);
        members.updateRole(app.id(), previous, AppMemberRecord.Role.DEVELOPER);
        log(environments.findByAppId(app.id()), app.id(), TRANSFER_ACCEPTED, caller, email(previous) + " -> " + email(caller));
        syncs.request(app.id(), caller, now);
        syncs.request(app.id(), previous, now);
        return List.of(new MembershipChangedEvent(app.id(), null, caller, MembershipChangedEvent.Change.OWNER_CHANGED),
                new MembershipChangedEvent(app.id(), null, previous, MembershipChangedEvent.Change.OWNER_CHANGED));
    }

    private void log(List<EnvironmentRecord> envs, UUID appId, String action, UUID caller, String detail) {
        Instant now = now();
        for (EnvironmentRecord env : envs) {
            activityLog.appendOnce(appId, env.id(), action, caller, ActivityLogRecord.Outcome.SUCCEEDED.name(), detail, null, now);
        }
    }

    private String email(UUID userId) {
        return users.findById(userId).map(UserRecord::email).orElse("a deleted user");
    }

    private static String kind(Member member) {
        return member.owner() ? "owner" : member.kind() == MemberKind.DEVELOPER ? "developer" : "user";
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
