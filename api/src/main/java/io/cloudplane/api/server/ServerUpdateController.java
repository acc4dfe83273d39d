package io.cloudplane.api.server;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.cloudplane.api.problem.Problems;
import io.micronaut.http.annotation.Status;
import io.micronaut.http.HttpStatus;
import io.cloudplane.api.app.AppService;
import io.cloudplane.api.common.Cursor;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.cloudplane.api.operation.Accepted;
import io.cloudplane.api.operation.OperationView;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.server.ServerUpdateRecord;
import io.cloudplane.infra.server.ServerUpdateRepository;
import io.cloudplane.infra.runtime.ServerCatalog;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Server updates: {@code POST …/update {version, allowDowngrade}} answers 202 with the update (its
 * UPDATE_SERVER operation, {@code env-update/<envId>}, under {@code operation}, shows the steps);
 * {@code GET …/updates} is the history, {@code GET …/updates/{updateId}} one update. A version
 * outside the catalog, the version already running, or an older version without
 * {@code allowDowngrade: true} answer 422 naming the field. Owners and developers update;
 * production takes the owner, as deployments do.
 */
@Controller("/api/v1/apps/{appId}/environments/{envId}")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "environments")
@Problems.Unauthorized
@Problems.BadRequest
@Problems.NotFound
public class ServerUpdateController {
    private final AccessService access;
    private final AppService service;
    private final ServerCatalog catalog;
    private final ServerUpdateRepository updates;
    private final Accepted accepted;

    public ServerUpdateController(AccessService access, AppService service, ServerCatalog catalog, ServerUpdateRepository updates,
                                  Accepted accepted) {
        this.access = access;
        this.service = service;
        this.catalog = catalog;
        this.updates = updates;
        this.accepted = accepted;
    }

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record UpdateBody(@Nullable String version, @Nullable Boolean allowDowngrade) {
    }

    /** {@code operation}: its UPDATE_SERVER operation, only in the 202 answer of the update. */
    @Serdeable
    public record UpdateView(UUID id, String fromVersion, String toVersion, boolean downgrade, ServerUpdateRecord.Status status,
                             boolean rolledBack, @Nullable String error, @Nullable UUID requestedBy, Instant createdAt,
                             @Nullable Instant startedAt, @Nullable Instant finishedAt,
                             @Schema(requiredMode = Schema.RequiredMode.NOT_REQUIRED) @JsonInclude(JsonInclude.Include.NON_NULL)
                             OperationView operation) {
        static UpdateView of(ServerUpdateRecord u) {
            return new UpdateView(u.id(), u.fromVersion(), u.toVersion(), u.downgrade(), u.status(), u.rolledBack(), u.error(),
                    u.requestedBy(), u.createdAt(), u.startedAt(), u.finishedAt(), null);
        }

        UpdateView withOperation(OperationView op) {
            return new UpdateView(id, fromVersion, toVersion, downgrade, status, rolledBack, error, requestedBy, createdAt, startedAt,
                    finishedAt, op);
        }
    }

    @Serdeable
    public record Page(List<UpdateView> items, @Nullable String nextCursor) {
    }

    /** Updates the environment's server to `version`: 202 with the update, its UPDATE_SERVER operation under `operation`. */
    @Post("/update")
    @Status(HttpStatus.ACCEPTED)
    @Accepted.Creates
    @Problems.Forbidden
    @Problems.Conflict
    @Problems.Unprocessable
    @Operation(operationId = "updateServer")
    public HttpResponse<UpdateView> update(UUID appId, UUID envId, @Body UpdateBody body, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = access.requireApp(caller, appId);
        EnvironmentRecord env = access.requireEnvironment(a, envId);
        a.requireTeam("Only the app's owner and developers update servers")
                .requireOwnerFor(env, "Only the app's owner updates the server of production");
        if (body == null || body.version() == null || body.version().isBlank()) {
            throw ApiException.badRequest("version", "must not be blank");
        }
        String version = body.version().strip();
        if (catalog.find(version).isEmpty()) {
            throw ApiException.unprocessable("version", "'" + version + "' is not in the catalog (GET /api/v1/server-versions lists it)");
        }
        int order = ServerCatalog.compare(version, env.serverVersion());
        if (order == 0) {
            throw ApiException.unprocessable("version", "the environment already runs " + version);
        }
        boolean downgrade = order < 0;
        if (downgrade && !Boolean.TRUE.equals(body.allowDowngrade())) {
            throw ApiException.unprocessable("allowDowngrade", version + " is older than " + env.serverVersion()
                    + ", which the environment runs; set allowDowngrade to true to go back to it");
        }
        OperationRecord op = service.updateServer(a, caller, env, version, downgrade);
        UpdateView update = UpdateView.of(updates.findById(op.id()).orElseThrow());
        return accepted.created(op, "/api/v1/apps/" + appId + "/environments/" + envId + "/updates/" + op.id(), update::withOperation);
    }

    /** One server update of the environment. */
    @Get("/updates/{updateId}")
    @Operation(operationId = "getServerUpdate")
    public UpdateView get(UUID appId, UUID envId, UUID updateId, Authentication auth) {
        Access a = access.requireApp(Caller.id(auth), appId);
        access.requireEnvironment(a, envId);
        a.requireTeam("Only the app's owner and developers see its server updates");
        return updates.findById(updateId).filter(u -> u.envId().equals(envId)).map(UpdateView::of)
                .orElseThrow(() -> ApiException.notFound("server update " + updateId));
    }

    /** The history, newest first, {@code limit} a page (1 to 200, default 50); {@code nextCursor} asks for the next page. */
    @Get("/updates{?limit,cursor}")
    @Operation(operationId = "listServerUpdates")
    public Page history(UUID appId, UUID envId, @Nullable @QueryValue @Min(1) @Max(200) Integer limit,
                        @Nullable @QueryValue String cursor, Authentication auth) {
        Access a = access.requireApp(Caller.id(auth), appId);
        access.requireEnvironment(a, envId);
        a.requireTeam("Only the app's owner and developers see its server updates");
        var page = Cursor.page(cursor, limit, (at, id, n) -> updates.findPage(envId, at, id, n), UpdateView::of);
        return new Page(page.items(), page.nextCursor());
    }
}
