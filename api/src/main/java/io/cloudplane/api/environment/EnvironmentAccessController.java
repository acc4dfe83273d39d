package io.cloudplane.api.environment;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.cloudplane.api.app.AppService;
import io.cloudplane.api.app.Views;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.problem.Problems;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRecord.EnvironmentAccess;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.ActivityLogRecord;
import io.cloudplane.infra.operation.ActivityLogRepository;
import io.cloudplane.infra.runtime.ServerCatalog;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Patch;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.transaction.annotation.Transactional;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

/**
 * {@code PATCH …/environments/{envId}}: the environment's settings that take effect at once, today
 * its {@code access} ({@code public}: anyone reaches its app through the gateway; {@code members}:
 * its owner, developers and invited end users, signed in). The owner's decision alone, as deleting
 * it is; each change is an activity-log entry ({@code access-changed}, the detail
 * {@code members → public}).
 */
@Controller("/api/v1/apps/{appId}/environments")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "environments")
@Problems.Unauthorized
@Problems.BadRequest
@Problems.NotFound
public class EnvironmentAccessController {
    public static final String ACTION = "access-changed";
    private final EnvironmentRepository environments;
    private final AccessService access;
    private final ActivityLogRepository activityLog;
    private final ServerCatalog catalog;
    private final io.cloudplane.api.gateway.HostNames hostNames;

    public EnvironmentAccessController(EnvironmentRepository environments, AccessService access, ActivityLogRepository activityLog,
                                       ServerCatalog catalog, io.cloudplane.api.gateway.HostNames hostNames) {
        this.hostNames = hostNames;
        this.environments = environments;
        this.access = access;
        this.activityLog = activityLog;
        this.catalog = catalog;
    }

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record UpdateEnvironment(
            @NotBlank @Pattern(regexp = "public|members", message = "must be public or members") String access) {
    }

    /** Changes the environment's access setting: 200 with the environment. */
    @Patch("/{envId}")
    @Problems.Forbidden
    @Problems.Conflict
    @Operation(operationId = "updateEnvironment")
    @Transactional
    public Views.EnvironmentView update(UUID appId, UUID envId, @Valid @Body UpdateEnvironment request, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = access.requireApp(caller, appId);
        EnvironmentRecord env = access.requireEnvironment(a, envId);
        if (a.role() != Access.Role.OWNER) {
            throw ApiException.forbidden("Only the app's owner may change who reaches an environment");
        }
        AppService.requireActive(a.app());
        EnvironmentAccess wanted = EnvironmentAccess.valueOf(request.access().toUpperCase(Locale.ROOT));
        if (wanted != env.access()) {
            Instant now = Instant.now();
            environments.updateAccess(envId, wanted.name(), now);
            activityLog.appendOnce(appId, envId, ACTION, caller, ActivityLogRecord.Outcome.SUCCEEDED.name(),
                    shown(env.access()) + " → " + shown(wanted), null, now);
        }
        return Views.EnvironmentView.of(environments.findById(envId).orElseThrow(), catalog, hostNames);
    }

    private static String shown(EnvironmentAccess access) {
        return access == null ? "none" : access.name().toLowerCase(Locale.ROOT);
    }
}
