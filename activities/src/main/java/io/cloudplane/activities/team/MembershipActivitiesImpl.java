package io.cloudplane.activities.team;

import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.environment.EnvironmentUserRecord;
import io.cloudplane.infra.environment.EnvironmentUserRepository;
import io.cloudplane.infra.identity.IdentityProvider;
import io.cloudplane.workflows.team.EnvironmentMembership;
import io.cloudplane.workflows.team.MembershipActivities;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Reads memberships from Cloudplane's tables and declares them through the {@link IdentityProvider} port. */
@Singleton
public class MembershipActivitiesImpl implements MembershipActivities, ControlPlaneActivities {
    private final EnvironmentRepository environments;
    private final AppMemberRepository members;
    private final EnvironmentUserRepository environmentUsers;
    private final UserRepository users;
    private final IdentityProvider identity;

    public MembershipActivitiesImpl(EnvironmentRepository environments, AppMemberRepository members,
                                    EnvironmentUserRepository environmentUsers, UserRepository users, IdentityProvider identity) {
        this.environments = environments;
        this.members = members;
        this.environmentUsers = environmentUsers;
        this.users = users;
        this.identity = identity;
    }

    @Override
    public List<EnvironmentMembership> readMemberships(String appId, String userId) {
        UUID app = UUID.fromString(appId);
        UUID user = UUID.fromString(userId);
        // A developer's (or the owner's) profile holds in every environment; an end user's row is
        // the more particular one where both exist.
        String teamProfile = members.findById(new AppMemberRecord.Key(app, user)).map(AppMemberRecord::profile).orElse(null);
        List<EnvironmentMembership> result = new ArrayList<>();
        for (EnvironmentRecord env : environments.findByAppId(app)) {
            String profile = environmentUsers.findById(new EnvironmentUserRecord.Key(env.id(), user))
                    .map(EnvironmentUserRecord::profile).orElse(teamProfile);
            result.add(new EnvironmentMembership(env.id().toString(), profile));
        }
        return result;
    }

    @Override
    public void declareMembership(String userId, String envId, String profile) {
        // A deleted account has nothing left to declare (the provider forgot it with the account).
        user(userId).ifPresent(u -> identity.declareMembership(u.id(), u.email(), UUID.fromString(envId), profile));
    }

    @Override
    public void withdrawMembership(String userId, String envId) {
        user(userId).ifPresent(u -> identity.withdrawMembership(u.id(), u.email(), UUID.fromString(envId)));
    }

    private Optional<UserRecord> user(String userId) {
        return users.findById(UUID.fromString(userId));
    }
}
