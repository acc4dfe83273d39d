package io.cloudplane.api.environment;

import io.cloudplane.api.problem.Problems;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.database.DatabaseProvisioner;
import io.cloudplane.infra.operation.ActivityLogRecord;
import io.cloudplane.infra.operation.ActivityLogRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * The environment's database credentials, as {@code heroku pg:credentials} gives them, for
 * {@code psql} and {@code pg_restore}. The only place the password appears. Owners and developers
 * only, and every read is written to the environment's activity log.
 */
@Controller("/api/v1/apps/{appId}/environments/{envId}/database-credentials")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "environments")
@Problems.Unauthorized
@Problems.BadRequest
@Problems.NotFound
public class DatabaseCredentialsController {
    static final String ACTION = "database-credentials-read";
    private final AccessService access;
    private final DatabaseProvisioner databases;
    private final SecretBox secrets;
    private final ActivityLogRepository activityLog;

    public DatabaseCredentialsController(AccessService access, DatabaseProvisioner databases, SecretBox secrets,
                                         ActivityLogRepository activityLog) {
        this.access = access;
        this.databases = databases;
        this.secrets = secrets;
        this.activityLog = activityLog;
    }

    @Serdeable
    public record Credentials(String host, int port, String database, String user, String password, String url) {
    }

    /** The environment's database address and credentials, for psql and the like; each read is logged in the activity. */
    @Get
    @Problems.Forbidden
    @Problems.Conflict
    @Operation(operationId = "getDatabaseCredentials")
    public Credentials get(UUID appId, UUID envId, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = access.requireApp(caller, appId);
        EnvironmentRecord env = access.requireEnvironment(a, envId);
        a.requireTeam("Only the app's owner and developers read the database credentials");
        if (env.dbPassword() == null) {
            throw ApiException.conflict("The environment's database does not exist yet (" + env.status() + ")");
        }
        String password = secrets.decrypt(env.dbPassword());
        activityLog.appendOnce(appId, envId, ACTION, caller, ActivityLogRecord.Outcome.SUCCEEDED.name(), null, null, Instant.now());
        String host = databases.host();
        int port = databases.port();
        String url = "postgres://" + env.dbName() + ":" + URLEncoder.encode(password, StandardCharsets.UTF_8) + "@" + host + ":"
                + port + "/" + env.dbName();
        return new Credentials(host, port, env.dbName(), env.dbName(), password, url);
    }
}
