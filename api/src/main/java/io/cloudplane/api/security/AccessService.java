package io.cloudplane.api.security;

import io.cloudplane.api.problem.ApiException;
import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.environment.EnvironmentUserRepository;
import jakarta.inject.Singleton;

import java.util.HashSet;
import java.util.Optional;
import java.util.UUID;

/**
 * Role checks for every endpoint. What the caller may not see answers 404, exactly like what does
 * not exist; what the caller sees but may not change answers 403.
 */
@Singleton
public class AccessService {
    private final AppRepository apps;
    private final AppMemberRepository members;
    private final EnvironmentUserRepository environmentUsers;
    private final EnvironmentRepository environments;

    public AccessService(AppRepository apps, AppMemberRepository members, EnvironmentUserRepository environmentUsers,
                         EnvironmentRepository environments) {
        this.apps = apps;
        this.members = members;
        this.environmentUsers = environmentUsers;
        this.environments = environments;
    }

    public Optional<Access> find(UUID userId, AppRecord app) {
        Optional<AppMemberRecord> member = members.findById(new AppMemberRecord.Key(app.id(), userId));
        if (member.isPresent()) {
            Access.Role role = member.get().role() == AppMemberRecord.Role.OWNER ? Access.Role.OWNER : Access.Role.DEVELOPER;
            return Optional.of(new Access(app, role, java.util.Set.of()));
        }
        var envIds = new HashSet<>(environmentUsers.findEnvironmentIds(app.id(), userId));
        return envIds.isEmpty() ? Optional.empty() : Optional.of(new Access(app, Access.Role.USER, envIds));
    }

    /** An owner or developer of the app (not an end user of one of its environments). */
    public boolean isMemberOf(UUID userId, UUID appId) {
        return members.findById(new AppMemberRecord.Key(appId, userId)).isPresent();
    }

    public Access requireApp(UUID userId, UUID appId) {
        return apps.findById(appId).flatMap(app -> find(userId, app))
                .orElseThrow(() -> ApiException.notFound("App " + appId));
    }

    public Access requireOwner(UUID userId, UUID appId) {
        Access access = requireApp(userId, appId);
        if (access.role() != Access.Role.OWNER) {
            throw ApiException.forbidden("Only the app's owner may do this");
        }
        return access;
    }

    public EnvironmentRecord requireEnvironment(Access access, UUID envId) {
        return environments.findById(envId)
                .filter(env -> env.appId().equals(access.app().id()) && access.sees(envId))
                .orElseThrow(() -> ApiException.notFound("Environment " + envId));
    }
}
