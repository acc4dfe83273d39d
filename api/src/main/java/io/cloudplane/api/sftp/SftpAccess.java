package io.cloudplane.api.sftp;

import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.sftp.SftpSettings;
import io.cloudplane.infra.sftp.SftpUserNames;
import io.cloudplane.infra.team.TeamDirectory;
import io.cloudplane.infra.team.TeamMember;
import jakarta.inject.Singleton;

import java.util.Optional;
import java.util.UUID;

/**
 * Who may open an environment over SFTP, decided from the database at every login and again while
 * the session lasts: the app's owner and developers (a sandbox's owner too); an environment's end
 * users, anyone else, and any environment that is not there are refused. In the Kubernetes sidecar's
 * mode ({@code cloudplane.sftp.environment}) only that environment is served.
 */
@Singleton
public class SftpAccess {
    private final EnvironmentRepository environments;
    private final UserRepository users;
    private final TeamDirectory team;
    private final SftpSettings settings;

    public SftpAccess(EnvironmentRepository environments, UserRepository users, TeamDirectory team, SftpSettings settings) {
        this.environments = environments;
        this.users = users;
        this.team = team;
        this.settings = settings;
    }

    /** A person let into an environment: {@code role} OWNER or DEVELOPER. */
    public record Grant(UUID userId, String email, EnvironmentRecord environment, String role) {
    }

    /** Either a grant, or why not (for the server's log, never for the client: a refusal says nothing). */
    public record Decision(Grant grant, String refusal) {
        static Decision refused(String why) {
            return new Decision(null, why);
        }

        public boolean allowed() {
            return grant != null;
        }
    }

    /** Decides a login's user name. */
    public Decision decide(String userName) {
        Optional<SftpUserNames.Parsed> parsed = SftpUserNames.parse(userName);
        if (parsed.isEmpty()) {
            return Decision.refused("malformed user name (expected <email local>=<email domain>+<environment's host label>)");
        }
        Optional<UserRecord> user = users.findByEmailIgnoringCase(parsed.get().email());
        if (user.isEmpty()) {
            return Decision.refused("no account " + parsed.get().email());
        }
        Optional<EnvironmentRecord> env = environments.findByHostLabel(parsed.get().hostLabel());
        if (env.isEmpty()) {
            return Decision.refused("no environment " + parsed.get().hostLabel());
        }
        return decide(user.get().id(), user.get().email(), env.get().id());
    }

    /** Decides again for a person and an environment (an open session's recheck). */
    public Decision decide(UUID userId, String email, UUID envId) {
        Optional<EnvironmentRecord> env = environments.findById(envId);
        if (env.isEmpty()) {
            return Decision.refused("environment " + envId + " is gone");
        }
        if (!served(env.get())) {
            return Decision.refused("this SFTP server serves only environment " + settings.environment());
        }
        for (TeamMember member : team.members(env.get().appId(), envId)) {
            if (member.userId().equals(userId)) {
                return member.developer() ? new Decision(new Grant(userId, email, env.get(), member.role()), null)
                        : Decision.refused("an end user of the environment (only its app's owner and developers use SFTP)");
            }
        }
        return Decision.refused("not a member of the app");
    }

    private boolean served(EnvironmentRecord env) {
        String only = settings.environment();
        return only == null || only.equalsIgnoreCase(env.id().toString()) || only.equalsIgnoreCase(env.hostLabel());
    }
}
