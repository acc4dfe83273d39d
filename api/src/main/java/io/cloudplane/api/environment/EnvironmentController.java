package io.cloudplane.api.environment;

import io.cloudplane.api.problem.Problems;
import io.micronaut.http.annotation.Status;
import io.micronaut.http.HttpStatus;
import io.cloudplane.api.app.AppService;
import io.cloudplane.api.app.Requests;
import io.cloudplane.api.app.Views;
import io.cloudplane.api.operation.ActivityViews;
import io.cloudplane.api.gateway.GatewayAccess;
import io.cloudplane.api.gateway.GatewaySessions;
import io.cloudplane.api.gateway.HostNames;
import io.cloudplane.infra.gateway.GatewayDoor;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.backup.BackupSchedules;
import io.cloudplane.api.sandbox.SandboxLifecycles;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationType;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import io.cloudplane.api.operation.Accepted;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.operation.OperationView;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRecord.EnvironmentType;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.OperationRecord;
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
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;

import java.util.Locale;
import java.util.UUID;

@Controller("/api/v1/apps/{appId}/environments")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "environments")
@Problems.Unauthorized
@Problems.BadRequest
@Problems.NotFound
public class EnvironmentController {
    private final EnvironmentRepository environments;
    private final AccessService access;
    private final AppService service;
    private final Accepted accepted;
    private final ActivityViews activityLog;
    private final SandboxLifecycles lifecycles;
    private final BackupSchedules backupSchedules;

    private final io.cloudplane.infra.runtime.ServerCatalog catalog;
    private final GatewaySessions gatewaySessions;
    private final HostNames hostNames;

    public EnvironmentController(EnvironmentRepository environments, AccessService access, AppService service, Accepted accepted,
                                 ActivityViews activityLog, SandboxLifecycles lifecycles,
                                 BackupSchedules backupSchedules, io.cloudplane.infra.runtime.ServerCatalog catalog,
                                 GatewaySessions gatewaySessions, HostNames hostNames) {
        this.gatewaySessions = gatewaySessions;
        this.hostNames = hostNames;
        this.catalog = catalog;
        this.lifecycles = lifecycles;
        this.backupSchedules = backupSchedules;
        this.environments = environments;
        this.access = access;
        this.service = service;
        this.accepted = accepted;
        this.activityLog = activityLog;
    }

    /** The app's environments, for its owner and developers (an end user uses the application, not its control plane). */
    @Get
    @Problems.Forbidden
    @Operation(operationId = "listEnvironments")
    public Views.EnvironmentList list(UUID appId, Authentication auth) {
        Access a = access.requireApp(Caller.id(auth), appId).requireTeam(Access.END_USERS_REFUSED);
        return new Views.EnvironmentList(environments.findByAppId(appId).stream()
                .filter(env -> a.sees(env.id()))
                .map(e -> Views.EnvironmentView.of(e, catalog, hostNames))
                .toList());
    }

    /**
     * Adds a staging, production or custom environment: 202 with the environment, its provisioning
     * operation under {@code operation}.
     */
    @Post
    @Status(HttpStatus.ACCEPTED)
    @Accepted.Creates
    @Problems.Forbidden
    @Problems.Conflict
    @Problems.Unprocessable
    @Operation(operationId = "createEnvironment")
    public HttpResponse<Views.EnvironmentView> create(UUID appId, @Valid @Body Requests.CreateEnvironment request,
                                                      Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = access.requireOwner(caller, appId);
        EnvironmentType type = EnvironmentType.valueOf(request.type().toUpperCase(Locale.ROOT));
        OperationRecord op = service.createEnvironment(a, caller, request.name(), type, request.description());
        Views.EnvironmentView env = Views.EnvironmentView.of(environments.findById(op.envId()).orElseThrow(), catalog, hostNames);
        var response = accepted.created(op, "/api/v1/apps/" + appId + "/environments/" + env.id(), env::withOperation);
        if (EnvironmentServices.of(type).backups()) {
            backupSchedules.start(appId, op.envId()); // if Temporal is away, the schedule recovery starts it later
        }
        return response;
    }

    /** One environment: its status, server version, URLs and services. */
    @Get("/{envId}")
    @Problems.Forbidden
    @Operation(operationId = "getEnvironment")
    public Views.EnvironmentView get(UUID appId, UUID envId, Authentication auth) {
        Access a = access.requireApp(Caller.id(auth), appId).requireTeam(Access.END_USERS_REFUSED);
        return Views.EnvironmentView.of(access.requireEnvironment(a, envId), catalog, hostNames);
    }

    /** Stops the environment's server: 202 with the operation; a stop of a stopped server is a recorded no-op. */
    @Post("/{envId}/stop")
    @Status(HttpStatus.ACCEPTED)
    @Accepted.Starts
    @Problems.Forbidden
    @Problems.Conflict
    @Operation(operationId = "stopServer")
    public HttpResponse<OperationView> stop(UUID appId, UUID envId, Authentication auth) {
        return serverAction(appId, envId, auth, OperationType.STOP_SERVER);
    }

    /** Starts the environment's server: 202 with the operation. */
    @Post("/{envId}/start")
    @Status(HttpStatus.ACCEPTED)
    @Accepted.Starts
    @Problems.Forbidden
    @Problems.Conflict
    @Operation(operationId = "startServer")
    public HttpResponse<OperationView> start(UUID appId, UUID envId, Authentication auth) {
        return serverAction(appId, envId, auth, OperationType.START_SERVER);
    }

    /** Restarts the environment's server: 202 with the operation. */
    @Post("/{envId}/restart")
    @Status(HttpStatus.ACCEPTED)
    @Accepted.Starts
    @Problems.Forbidden
    @Problems.Conflict
    @Operation(operationId = "restartServer")
    public HttpResponse<OperationView> restart(UUID appId, UUID envId, Authentication auth) {
        return serverAction(appId, envId, auth, OperationType.RESTART_SERVER);
    }

    /**
     * Opens the Studio: returns a one-time link (valid for a minute) that signs the caller in at the
     * Studio's host through the gateway and opens it. For a sandbox this is the access that keeps it
     * awake; the idle clock restarts.
     */
    @Post("/{envId}/studio-sessions")
    @Status(HttpStatus.CREATED)
    @Problems.Forbidden
    @Problems.Conflict
    @Problems.Unprocessable
    public HttpResponse<StudioSession> openStudio(UUID appId, UUID envId, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = access.requireApp(caller, appId);
        EnvironmentRecord env = access.requireEnvironment(a, envId);
        a.requireTeam("Only the app's owner and developers use the Studio");
        Views.EnvironmentView view = Views.EnvironmentView.of(env, catalog, hostNames);
        if (!env.hasStudio()) {
            throw ApiException.unprocessable("A " + view.type() + " environment has no Studio access");
        }
        if (env.status() != EnvironmentStatus.RUNNING) {
            throw ApiException.conflict("The environment is " + env.status()
                    + (env.status() == EnvironmentStatus.SLEEPING
                    ? ": wake it first (POST /api/v1/apps/" + appId + "/wake, or log in)" : ""));
        }
        Instant now = Instant.now();
        environments.recordStudioAccess(envId, now);
        if (a.app().kind() == AppRecord.AppKind.SANDBOX) {
            lifecycles.studioAccessed(appId);
        }
        // a link that signs the caller in at the Studio's host once (within a minute), then opens it
        String ticket = gatewaySessions.issueTicket(caller, envId, GatewayDoor.STUDIO, "/");
        String studioUrl = hostNames.origin(hostNames.host(env.hostLabel(), GatewayDoor.STUDIO)) + GatewayAccess.SESSION_PATH + "?ticket=" + ticket;
        return HttpResponse.created(new StudioSession(studioUrl, now));
    }

    @Serdeable
    public record StudioSession(String studioUrl, Instant openedAt) {
    }

    /** The environment's activity log, newest first, {@code limit} entries a page (1 to 200, default 50). */
    @Get("/{envId}/activity{?limit,cursor}")
    @Operation(operationId = "listActivity")
    public ActivityViews.Page activity(UUID appId, UUID envId, @Nullable @QueryValue @Min(1) @Max(200) Integer limit,
                                       @Nullable @QueryValue String cursor, Authentication auth) {
        Access a = access.requireApp(Caller.id(auth), appId);
        access.requireEnvironment(a, envId);
        a.requireTeam("Only the app's owner and developers read the activity log");
        return activityLog.page(envId, limit == null ? 50 : limit, cursor);
    }

    private HttpResponse<OperationView> serverAction(UUID appId, UUID envId, Authentication auth, OperationType type) {
        UUID caller = Caller.id(auth);
        Access a = access.requireApp(caller, appId);
        EnvironmentRecord env = access.requireEnvironment(a, envId);
        a.requireTeam("Only the app's owner and developers may stop, start or restart servers");
        return accepted.launch(service.serverAction(a, caller, env, type));
    }

    /** Deletes the environment, its server, database and files: 202 with the deletion operation. */
    @Delete("/{envId}")
    @Status(HttpStatus.ACCEPTED)
    @Accepted.Starts
    @Problems.Forbidden
    @Problems.Conflict
    @Problems.Unprocessable
    @Operation(operationId = "deleteEnvironment")
    public HttpResponse<OperationView> delete(UUID appId, UUID envId, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = access.requireApp(caller, appId);
        EnvironmentRecord env = access.requireEnvironment(a, envId);
        if (a.role() != Access.Role.OWNER) {
            throw ApiException.forbidden("Only the app's owner may delete an environment");
        }
        return accepted.launch(service.deleteEnvironment(a, caller, env));
    }
}
