package io.cloudplane.api.app;

import io.cloudplane.api.problem.Problems;
import io.micronaut.http.annotation.Status;
import io.micronaut.http.HttpStatus;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.operation.Accepted;
import io.cloudplane.api.operation.OperationView;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.sandbox.SandboxLifecycles;
import io.cloudplane.workflows.operation.OperationStatus;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.micronaut.http.MediaType;
import io.micronaut.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

@Controller("/api/v1/apps")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "apps")
@Problems.Unauthorized
public class AppController {
    private final AccessService access;
    private final AppService service;
    private final Accepted accepted;
    private final SandboxLifecycles lifecycles;
    private final OperationRepository operations;
    private final AppListCache listCache;
    private final JsonMapper json;

    private final io.cloudplane.infra.monitoring.OperationMeters meters;

    public AppController(AccessService access, AppService service, Accepted accepted, SandboxLifecycles lifecycles,
                         OperationRepository operations, AppListCache listCache, JsonMapper json,
                         io.cloudplane.infra.monitoring.OperationMeters meters) {
        this.meters = meters;
        this.listCache = listCache;
        this.json = json;
        this.access = access;
        this.service = service;
        this.accepted = accepted;
        this.lifecycles = lifecycles;
        this.operations = operations;
    }

    /**
     * The caller's apps in the dashboard's three categories; as many queries for 100 apps as for one,
     * and none while nothing the list is built from changed ({@link AppListCache}).
     */
    @Get
    @Operation(operationId = "listApps")
    @ApiResponse(responseCode = "200", description = "The caller's sandbox, own applications and shared applications, oldest first",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Views.AppList.class)))
    public HttpResponse<byte[]> list(Authentication auth) {
        UUID caller = Caller.id(auth);
        byte[] json = listCache.get(caller, () -> serialize(listOf(caller)));
        return HttpResponse.ok(json).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    private Views.AppList listOf(UUID caller) {
        Views.AppView sandbox = null;
        List<Views.AppView> owned = new ArrayList<>();
        List<Views.AppView> shared = new ArrayList<>();
        for (Access a : service.visibleTo(caller)) {
            Views.AppView view = Views.AppView.of(a, caller);
            switch (view.category()) {
                case "sandbox" -> sandbox = view;
                case "applications" -> owned.add(view);
                default -> shared.add(view);
            }
        }
        return new Views.AppList(sandbox, owned, shared);
    }

    private byte[] serialize(Views.AppList list) {
        try {
            return json.writeValueAsBytes(list);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the apps list", e);
        }
    }

    /**
     * Creates an application with a development environment: 202 with the app, its provisioning
     * operation under {@code operation} (whose {@code envId} is the development environment).
     */
    @Post
    @Status(HttpStatus.ACCEPTED)
    @Accepted.Creates
    @Problems.BadRequest
    @Problems.Conflict
    @Operation(operationId = "createApp")
    public HttpResponse<Views.AppView> create(@Valid @Body Requests.CreateApp request, Authentication auth) {
        UUID caller = Caller.id(auth);
        OperationRecord op = service.createApp(caller, request.name(), AppRecord.AppKind.APPLICATION);
        Views.AppView app = Views.AppView.of(access.requireApp(caller, op.appId()), caller);
        return accepted.created(op, "/api/v1/apps/" + app.id(), app::withOperation);
    }

    /** One app: its role for the caller, and for a sandbox its lifecycle. */
    @Get("/{appId}")
    @Problems.BadRequest
    @Problems.Forbidden
    @Problems.NotFound
    @Operation(operationId = "getApp")
    public Views.AppView get(UUID appId, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = access.requireApp(caller, appId).requireTeam(Access.END_USERS_REFUSED);
        Views.AppView view = Views.AppView.of(a, caller);
        if (a.app().kind() == AppRecord.AppKind.SANDBOX) {
            view = view.withLifecycle(lifecycles.schedule(appId).map(Views.Lifecycle::of).orElse(null));
        }
        return view;
    }

    /** Wakes a sleeping sandbox: 202 with the wake operation. */
    @Post("/{appId}/wake")
    @Status(HttpStatus.ACCEPTED)
    @Accepted.Starts
    @Problems.BadRequest
    @Problems.NotFound
    @Problems.Forbidden
    @Problems.Conflict
    @Problems.Unprocessable
    @Operation(operationId = "wakeSandbox")
    public HttpResponse<OperationView> wake(UUID appId, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = access.requireOwner(caller, appId);
        OperationRecord op = service.wakeSandbox(a, caller);
        try {
            lifecycles.wake(appId, op.id().toString(), caller);
        } catch (RuntimeException e) {
            Instant now = Instant.now();
            if (operations.finish(op.id(), OperationStatus.FAILED, "the sandbox's lifecycle is not running", now) > 0) {
                meters.finished(op.type(), OperationStatus.FAILED, java.time.Duration.between(op.createdAt(), now));
            }
            throw ApiException.conflict("This sandbox cannot be woken now: its lifecycle is not running");
        }
        return accepted.respond(op);
    }

    /** Deletes the app and every environment it has; 202 with the deletion operation. */
    @Delete("/{appId}")
    @Status(HttpStatus.ACCEPTED)
    @Accepted.Starts
    @Problems.BadRequest
    @Problems.NotFound
    @Problems.Forbidden
    @Problems.Conflict
    @Problems.Unprocessable
    @Operation(operationId = "deleteApp")
    public HttpResponse<OperationView> delete(UUID appId, Authentication auth) {
        UUID caller = Caller.id(auth);
        return accepted.launch(service.deleteApp(access.requireOwner(caller, appId), caller));
    }
}
