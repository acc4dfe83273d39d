package io.cloudplane.api.release;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.cloudplane.api.problem.Problems;
import io.micronaut.http.annotation.Status;
import io.micronaut.http.HttpStatus;
import io.cloudplane.api.common.Ids;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.app.AppService;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.cloudplane.api.operation.Accepted;
import io.cloudplane.api.operation.OperationView;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.release.DeploymentRecord;
import io.cloudplane.infra.release.DeploymentRepository;
import io.cloudplane.infra.code.EnvironmentCodeRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.release.ReleaseRecord;
import io.cloudplane.infra.release.ReleaseRepository;
import io.cloudplane.infra.release.DeploymentLedger;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.cloudplane.api.common.Cursor;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Deployments of releases into an environment (202 with the deployment; its DEPLOY_RELEASE
 * operation, under {@code operation}, shows the steps), their history, and rollback: a deployment of the previous
 * successful release. Owners and developers deploy; production takes the owner.
 */
@Controller("/api/v1/apps/{appId}/environments/{envId}")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "releases")
@Problems.Unauthorized
@Problems.BadRequest
@Problems.NotFound
public class DeploymentController {
    private final AccessService access;
    private final ReleaseRepository releases;
    private final DeploymentRepository deployments;
    private final DeploymentLedger ledger;
    private final Accepted accepted;
    private final EnvironmentCodeRepository code;

    public DeploymentController(AccessService access, ReleaseRepository releases, DeploymentRepository deployments,
                                DeploymentLedger ledger, Accepted accepted, EnvironmentCodeRepository code) {
        this.access = access;
        this.releases = releases;
        this.deployments = deployments;
        this.ledger = ledger;
        this.accepted = accepted;
        this.code = code;
    }

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record DeployBody(@Nullable String releaseId) {
    }

    /** {@code operation}: its DEPLOY_RELEASE operation, only in the 202 answer of the deploy or rollback. */
    @Serdeable
    public record DeploymentView(UUID id, UUID releaseId, @Nullable String releaseName, DeploymentRecord.Status status,
                                 boolean rollback, @Nullable UUID promotionId, @Nullable UUID deployedBy, Instant createdAt,
                                 @Nullable Instant startedAt, @Nullable Instant finishedAt, @Nullable String error,
                                 @Nullable UUID safetyBackupId, boolean dataRestored, @Nullable UUID previousReleaseId,
                                 @Schema(requiredMode = Schema.RequiredMode.NOT_REQUIRED) @JsonInclude(JsonInclude.Include.NON_NULL)
                                 OperationView operation) {
        static DeploymentView of(DeploymentRecord d, String releaseName) {
            return new DeploymentView(d.id(), d.releaseId(), releaseName, d.status(), d.isRollback(), d.promotionId(), d.deployedBy(),
                    d.createdAt(), d.startedAt(), d.finishedAt(), d.error(), d.safetyBackupId(), d.dataRestored(),
                    d.previousReleaseId(), null);
        }

        DeploymentView withOperation(OperationView op) {
            return new DeploymentView(id, releaseId, releaseName, status, rollback, promotionId, deployedBy, createdAt, startedAt,
                    finishedAt, error, safetyBackupId, dataRestored, previousReleaseId, op);
        }
    }

    @Serdeable
    public record Page(List<DeploymentView> items, @Nullable String nextCursor) {
    }

    /** Deploys a release into the environment: 202 with the deployment, its DEPLOY_RELEASE operation under `operation`. */
    @Post("/deployments")
    @Status(HttpStatus.ACCEPTED)
    @Accepted.Creates
    @Problems.Forbidden
    @Problems.Conflict
    @Problems.Unprocessable
    @Operation(operationId = "deployRelease")
    public HttpResponse<DeploymentView> deploy(UUID appId, UUID envId, @Body DeployBody body, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = access.requireApp(caller, appId);
        EnvironmentRecord env = requireDeployable(a, envId);
        UUID releaseId = Ids.parse("releaseId", body.releaseId());
        ReleaseRecord release = releases.findById(releaseId).filter(r -> r.appId().equals(appId))
                .orElseThrow(() -> ApiException.badRequest("releaseId", "no release " + releaseId + " in this app"));
        requireReady(release);
        return start(a, env, release, false, caller);
    }

    /** The history, newest first, {@code limit} a page (1 to 200, default 50); {@code nextCursor} asks for the next page. */
    @Get("/deployments{?limit,cursor}")
    @Problems.Forbidden
    @Operation(operationId = "listDeployments")
    public Page history(UUID appId, UUID envId, @Nullable @QueryValue @Min(1) @Max(200) Integer limit,
                        @Nullable @QueryValue String cursor, Authentication auth) {
        Access a = access.requireApp(Caller.id(auth), appId);
        access.requireEnvironment(a, envId);
        a.requireTeam("Only the app's owner and developers see its deployments");
        Map<UUID, String> names = new HashMap<>();
        var page = Cursor.page(cursor, limit, (at, id, n) -> deployments.findPage(envId, at, id, n),
                d -> DeploymentView.of(d, names.computeIfAbsent(d.releaseId(), id -> releases.findById(id).map(ReleaseRecord::name).orElse(null))));
        return new Page(page.items(), page.nextCursor());
    }

    /** One deployment of the environment. */
    @Get("/deployments/{deploymentId}")
    @Problems.Forbidden
    @Operation(operationId = "getDeployment")
    public DeploymentView get(UUID appId, UUID envId, UUID deploymentId, Authentication auth) {
        Access a = access.requireApp(Caller.id(auth), appId);
        access.requireEnvironment(a, envId);
        a.requireTeam("Only the app's owner and developers see its deployments");
        DeploymentRecord d = deployments.findById(deploymentId).filter(found -> found.envId().equals(envId))
                .orElseThrow(() -> ApiException.notFound("deployment " + deploymentId));
        return DeploymentView.of(d, releases.findById(d.releaseId()).map(ReleaseRecord::name).orElse(null));
    }

    /** Deploys the newest successful release that is not the one the environment runs now. */
    @Post("/rollback")
    @Status(HttpStatus.ACCEPTED)
    @Accepted.Creates
    @Problems.Forbidden
    @Problems.Conflict
    @Problems.Unprocessable
    @Operation(operationId = "rollBack")
    public HttpResponse<DeploymentView> rollback(UUID appId, UUID envId, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = access.requireApp(caller, appId);
        EnvironmentRecord env = requireDeployable(a, envId);
        UUID current = code.findById(envId).map(c -> c.releaseId()).orElse(null);
        DeploymentRecord previous = deployments.findSucceededNewestFirst(envId).stream()
                .filter(d -> !Objects.equals(d.releaseId(), current)).findFirst()
                .orElseThrow(() -> ApiException.unprocessable("There is no previous successful release to roll back to"));
        ReleaseRecord release = releases.findById(previous.releaseId()).orElseThrow();
        requireReady(release);
        return start(a, env, release, true, caller);
    }

    private HttpResponse<DeploymentView> start(Access a, EnvironmentRecord env, ReleaseRecord release, boolean rollback, UUID caller) {
        AppService.requireActive(a.app());
        OperationRecord op;
        try {
            op = ledger.create(UUID.randomUUID(), a.app().id(), env.id(), release.id(), null, rollback, caller);
        } catch (DeploymentLedger.ReleaseGoneException gone) {
            throw ApiException.conflict("Release '" + release.name() + "' was deleted just now");
        } catch (DeploymentLedger.EnvironmentBusyException busy) {
            throw busy.running() == null ? ApiException.conflict(busy.getMessage())
                    : ApiException.busy("Operation " + busy.running().id() + " (" + busy.running().type()
                    + ") is running on this environment", busy.running().id().toString());
        }
        DeploymentView deployment = DeploymentView.of(deployments.findById(op.id()).orElseThrow(), release.name());
        return accepted.created(op, "/api/v1/apps/" + a.app().id() + "/environments/" + env.id() + "/deployments/" + op.id(),
                deployment::withOperation);
    }

    private EnvironmentRecord requireDeployable(Access a, UUID envId) {
        EnvironmentRecord env = access.requireEnvironment(a, envId);
        a.requireTeam("Only the app's owner and developers deploy");
        a.requireOwnerFor(env, "Only the app's owner deploys to production; developers promote");
        if (env.status() == EnvironmentStatus.PROVISIONING || env.status() == EnvironmentStatus.DELETING) {
            throw ApiException.conflict("The environment is " + env.status() + "; deploy when it is done");
        }
        if (env.status() == EnvironmentStatus.SLEEPING) {
            throw ApiException.conflict("The sandbox is asleep; open Studio or wake it, then deploy");
        }
        return env;
    }

    public static void requireReady(ReleaseRecord release) {
        switch (release.status()) {
            case CREATING -> throw ApiException.conflict("Release '" + release.name() + "' is still being created");
            case FAILED -> throw ApiException.unprocessable("releaseId", "release '" + release.name() + "' failed: " + release.error());
            default -> {
            }
        }
    }
}
