package io.cloudplane.api.security;

import io.cloudplane.infra.app.AppRecord;

import java.util.Set;
import java.util.UUID;

/**
 * What the caller may do in one app. Owners and developers see every environment; an end user
 * ({@link Role#USER}) sees only the environments they were invited to.
 */
public record Access(AppRecord app, Role role, Set<UUID> userEnvironments) {

    public enum Role { OWNER, DEVELOPER, USER }

    /** Why an end user gets 403 from the control plane's reads of an app they were invited to use (issue 13). */
    public static final String END_USERS_REFUSED = "End users use the application itself, not its control plane:"
            + " this app's owner and developers manage it here";

    /** Owners and developers pass; an end user gets 403 with {@code why}. */
    public Access requireTeam(String why) {
        if (role == Role.USER) {
            throw io.cloudplane.api.problem.ApiException.forbidden(why);
        }
        return this;
    }

    /** Production takes the owner: for anyone else, 403 with {@code why}. */
    public Access requireOwnerFor(io.cloudplane.infra.environment.EnvironmentRecord env, String why) {
        if (env.type() == io.cloudplane.infra.environment.EnvironmentRecord.EnvironmentType.PRODUCTION && role != Role.OWNER) {
            throw io.cloudplane.api.problem.ApiException.forbidden(why);
        }
        return this;
    }

    public boolean sees(UUID envId) {
        return role != Role.USER || userEnvironments.contains(envId);
    }
}
