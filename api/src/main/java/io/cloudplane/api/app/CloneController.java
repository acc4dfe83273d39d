package io.cloudplane.api.app;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.cloudplane.api.problem.Problems;
import io.micronaut.http.annotation.Status;
import io.micronaut.http.HttpStatus;
import io.cloudplane.api.common.Ids;
import io.cloudplane.api.release.DeploymentController;
import io.cloudplane.api.release.ReleaseService;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.operation.Accepted;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.code.EnvironmentCodeRecord;
import io.cloudplane.infra.code.EnvironmentCode;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.release.ReleaseRecord;
import io.cloudplane.infra.release.ReleaseRepository;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.util.UUID;

/**
 * Clones an app (a sandbox too) into a new application owned by the caller: its development
 * environment gets the code of the source's development environment, or of a given release, and
 * an empty database and empty resources. 202 with the new app, its CLONE_APPLICATION operation under
 * {@code operation} (whose {@code envId} is the new development environment).
 */
@Controller("/api/v1/apps/{appId}/clone")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "releases")
@Problems.Unauthorized
@Problems.BadRequest
@Problems.NotFound
public class CloneController {
    private final AccessService access;
    private final EnvironmentRepository environments;
    private final EnvironmentCode code;
    private final ReleaseRepository releases;
    private final ReleaseService service;
    private final Accepted accepted;

    public CloneController(AccessService access, EnvironmentRepository environments, EnvironmentCode code,
                           ReleaseRepository releases, ReleaseService service, Accepted accepted) {
        this.access = access;
        this.environments = environments;
        this.code = code;
        this.releases = releases;
        this.service = service;
        this.accepted = accepted;
    }

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record CloneBody(@Nullable String name, @Nullable String releaseId) {
    }

    /**
     * Clones the app into a new application owned by the caller: 202 with the new app, its
     * CLONE_APPLICATION operation under `operation`.
     */
    @Post
    @Status(HttpStatus.ACCEPTED)
    @Accepted.Creates
    @Problems.Forbidden
    @Problems.Conflict
    @Problems.Unprocessable
    @Operation(operationId = "cloneApp")
    public HttpResponse<Views.AppView> cloneApp(UUID appId, @Body CloneBody body, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = access.requireApp(caller, appId);
        a.requireTeam("Only the app's owner and developers clone it");
        String name = body.name() == null ? "" : body.name().strip();
        if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9 ._-]{0,62}")) {
            throw ApiException.badRequest("name", "required: 1 to 63 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit");
        }
        OperationRecord op;
        if (body.releaseId() != null) {
            UUID releaseId = Ids.parse("releaseId", body.releaseId());
            ReleaseRecord release = releases.findById(releaseId).filter(r -> r.appId().equals(appId))
                    .orElseThrow(() -> ApiException.badRequest("releaseId", "no release " + releaseId + " in this app"));
            DeploymentController.requireReady(release);
            op = service.createClone(caller, name, appId, null, releaseId, release.objectKey(), release.sha256(), release.sizeBytes());
        } else {
            EnvironmentRecord dev = environments.findByAppId(appId).stream()
                    .filter(e -> e.type() == EnvironmentRecord.EnvironmentType.DEVELOPMENT)
                    .min(java.util.Comparator.comparing(EnvironmentRecord::createdAt))
                    .orElseThrow(() -> ApiException.unprocessable("The app has no development environment to clone the code of; give a releaseId"));
            // The tree as SFTP left it (issue 16), packed first if it changed since its object was stored.
            EnvironmentCodeRecord source = code.captureTree(appId, dev.id())
                    .orElseThrow(() -> ApiException.unprocessable("The development environment '" + dev.name()
                            + "' has no code yet; upload some, or give a releaseId"));
            op = service.createClone(caller, name, appId, dev.id(), null, source.objectKey(), source.sha256(), source.sizeBytes());
        }
        Views.AppView clone = Views.AppView.of(access.requireApp(caller, op.appId()), caller);
        return accepted.created(op, "/api/v1/apps/" + clone.id(), clone::withOperation);
    }
}
