package io.cloudplane.api.release;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.cloudplane.api.problem.Problems;
import io.micronaut.http.annotation.Status;
import io.micronaut.http.HttpStatus;
import io.cloudplane.api.common.Ids;
import io.cloudplane.api.common.Cursor;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.operation.Accepted;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.code.EnvironmentCodeRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.infra.release.ReleaseRecord;
import io.cloudplane.infra.release.ReleaseRepository;
import io.cloudplane.infra.storage.ObjectStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.QueryValue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.inject.Provider;

import java.util.List;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Releases of an app: cut from a development or staging environment (202 with the release; its
 * CREATE_RELEASE operation, under {@code operation}, copies the code inside object storage), listed,
 * shown, and deleted while no deployment has used them.
 */
@Controller("/api/v1/apps/{appId}/releases")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "releases")
@Problems.Unauthorized
@Problems.BadRequest
@Problems.NotFound
public class ReleaseController {
    private final AccessService access;
    private final ReleaseRepository releases;
    private final ReleaseService service;
    private final Accepted accepted;
    private final EnvironmentCodeRepository code;
    private final EnvironmentRepository environments;
    private final OperationRepository operations;
    private final Provider<ObjectStore> store;

    public ReleaseController(AccessService access, ReleaseRepository releases, ReleaseService service, Accepted accepted,
                             EnvironmentCodeRepository code, EnvironmentRepository environments, OperationRepository operations,
                             Provider<ObjectStore> store) {
        this.access = access;
        this.releases = releases;
        this.service = service;
        this.accepted = accepted;
        this.code = code;
        this.environments = environments;
        this.operations = operations;
        this.store = store;
    }

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record CreateRelease(@Nullable String name, @Nullable String description, @Nullable String sourceEnvironmentId) {
    }

    /**
     * Cuts a release from a development or staging environment's code: 202 with the release, its
     * CREATE_RELEASE operation under `operation`.
     */
    @Post
    @Status(HttpStatus.ACCEPTED)
    @Accepted.Creates
    @Problems.Forbidden
    @Problems.Conflict
    @Problems.Unprocessable
    @Operation(operationId = "createRelease")
    public HttpResponse<ReleaseView> create(UUID appId, @Body CreateRelease body, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = requireDeveloper(caller, appId);
        String name = body.name() == null ? "" : body.name().strip();
        if (name.isEmpty() || name.length() > 100) {
            throw ApiException.badRequest("name", "required, 1 to 100 characters");
        }
        if (!name.matches("[\\p{L}\\p{N}][\\p{L}\\p{N} ._+-]*")) {
            throw ApiException.badRequest("name", "letters, digits, spaces and . _ + - only, starting with a letter or digit");
        }
        if (body.description() != null && body.description().length() > 1000) {
            throw ApiException.badRequest("description", "at most 1000 characters");
        }
        UUID sourceId = Ids.parse("sourceEnvironmentId", body.sourceEnvironmentId());
        EnvironmentRecord source = environments.findById(sourceId).filter(e -> e.appId().equals(appId))
                .orElseThrow(() -> ApiException.badRequest("sourceEnvironmentId", "no environment " + sourceId + " in this app"));
        if (source.type() != EnvironmentRecord.EnvironmentType.DEVELOPMENT && source.type() != EnvironmentRecord.EnvironmentType.STAGING) {
            throw ApiException.unprocessable("sourceEnvironmentId", "a release is cut from a development or staging environment, not from "
                    + source.type().name().toLowerCase() + " '" + source.name() + "'");
        }
        // Code that only SFTP put there (issue 16) has no stored object yet: the release's snapshot packs the tree.
        if (code.findById(sourceId).isEmpty() && environments.findCodeChangedAt(sourceId).isEmpty()) {
            throw ApiException.unprocessable("sourceEnvironmentId", "the environment '" + source.name()
                    + "' has no code yet; upload some (or put it there over SFTP) first");
        }
        ReleaseRecord release = service.createRelease(a, caller, source, name, body.description());
        return accepted.created(operations.findById(release.id()).orElseThrow(), "/api/v1/apps/" + appId + "/releases/" + release.id(),
                ReleaseView.of(release, List.of())::withOperation);
    }

    /** Newest first, {@code limit} a page (1 to 200, default 50); {@code nextCursor} asks for the next page. */
    @Get("{?limit,cursor}")
    @Problems.Forbidden
    @Operation(operationId = "listReleases")
    public ReleaseView.Page list(UUID appId, @Nullable @QueryValue @Min(1) @Max(200) Integer limit,
                                 @Nullable @QueryValue String cursor, Authentication auth) {
        requireDeveloper(Caller.id(auth), appId);
        Map<UUID, List<ReleaseView.EnvironmentRef>> running = runningIn(appId);
        var page = Cursor.page(cursor, limit, (at, id, n) -> releases.findPage(appId, at, id, n),
                r -> ReleaseView.of(r, running.getOrDefault(r.id(), List.of())));
        return new ReleaseView.Page(page.items(), page.nextCursor());
    }

    /** One release: its source, artifact, lock and the environments that run it. */
    @Get("/{releaseId}")
    @Problems.Forbidden
    @Operation(operationId = "getRelease")
    public ReleaseView get(UUID appId, UUID releaseId, Authentication auth) {
        requireDeveloper(Caller.id(auth), appId);
        return ReleaseView.of(require(appId, releaseId), runningIn(appId).getOrDefault(releaseId, List.of()));
    }

    /** 204; 409 once a deployment has used the release (it is locked), or while it is being created. */
    @Delete("/{releaseId}")
    @Status(HttpStatus.NO_CONTENT)
    @Problems.Forbidden
    @Problems.Conflict
    @Operation(operationId = "deleteRelease")
    public HttpResponse<Void> delete(UUID appId, UUID releaseId, Authentication auth) {
        requireDeveloper(Caller.id(auth), appId);
        ReleaseRecord release = require(appId, releaseId);
        if (release.firstDeployedAt() != null) {
            throw ApiException.conflict("Release '" + release.name() + "' is locked: it was deployed on " + release.firstDeployedAt()
                    + ", and a deployed release stays so that deployments can be traced and rolled back to");
        }
        if (release.status() == ReleaseRecord.Status.CREATING) {
            throw ApiException.conflict("Release '" + release.name() + "' is still being created; delete it when it is done");
        }
        try {
            if (releases.deleteIfUnlocked(releaseId) == 0) {
                throw ApiException.conflict("Release '" + release.name() + "' was deployed just now and is locked");
            }
        } catch (io.micronaut.data.exceptions.DataAccessException e) {
            throw ApiException.conflict("Release '" + release.name() + "' is used by a deployment or a promotion and is locked");
        }
        store.get().deletePrefix(release.objectKey());
        return HttpResponse.noContent();
    }

    /** Which environments of the app run which release: one read of the app's few environments and their code rows. */
    private Map<UUID, List<ReleaseView.EnvironmentRef>> runningIn(UUID appId) {
        Map<UUID, List<ReleaseView.EnvironmentRef>> running = new HashMap<>();
        for (EnvironmentRecord e : environments.findByAppId(appId)) {
            code.findById(e.id()).map(c -> c.releaseId()).ifPresent(releaseId ->
                    running.computeIfAbsent(releaseId, k -> new ArrayList<>()).add(new ReleaseView.EnvironmentRef(e.id(), e.name())));
        }
        return running;
    }

    private ReleaseRecord require(UUID appId, UUID releaseId) {
        return releases.findById(releaseId).filter(r -> r.appId().equals(appId))
                .orElseThrow(() -> ApiException.notFound("release " + releaseId));
    }

    private Access requireDeveloper(UUID caller, UUID appId) {
        Access a = access.requireApp(caller, appId);
        a.requireTeam("Only the app's owner and developers handle its releases");
        return a;
    }
}
