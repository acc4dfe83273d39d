package io.cloudplane.api.backup;

import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.environment.EnvironmentServices;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.infra.environment.EnvironmentRecord;
import jakarta.inject.Singleton;

import java.util.Locale;
import java.util.UUID;

/** Who may reach an environment's backups: 404 for what the caller can't see, 403, and 422 without the backup service. */
@Singleton
public class BackupAccess {
    private final AccessService access;

    public BackupAccess(AccessService access) {
        this.access = access;
    }

    /**
     * The environment, if the caller sees it and it has the backup service. Backups are the
     * team's: an end user of the environment (who uses its app, not its control plane) is refused,
     * whether to read ({@code manage} false) or to manage them.
     */
    public EnvironmentRecord require(UUID caller, UUID appId, UUID envId, boolean manage) {
        Access a = access.requireApp(caller, appId);
        EnvironmentRecord env = access.requireEnvironment(a, envId);
        a.requireTeam(manage ? "Only the app's owner and developers manage backups" : "Only the app's owner and developers see backups");
        requireBackupService(env);
        return env;
    }

    public static void requireBackupService(EnvironmentRecord env) {
        if (!EnvironmentServices.of(env.type()).backups()) {
            throw ApiException.unprocessable("A " + env.type().name().toLowerCase(Locale.ROOT) + " environment has no backup service");
        }
    }
}
