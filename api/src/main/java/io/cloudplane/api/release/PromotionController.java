package io.cloudplane.api.release;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.cloudplane.api.operation.Accepted;
import io.cloudplane.api.problem.Problems;
import io.micronaut.http.annotation.Status;
import io.micronaut.http.HttpStatus;
import io.cloudplane.api.common.Ids;
import io.cloudplane.api.common.Cursor;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.app.AppService;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.release.DeploymentRecord;
import io.cloudplane.infra.release.DeploymentRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.release.PromotionRecord;
import io.cloudplane.infra.release.PromotionRepository;
import io.cloudplane.infra.release.ReleaseRecord;
import io.cloudplane.infra.release.ReleaseRepository;
import io.cloudplane.infra.release.DeploySettings;
import io.cloudplane.infra.release.PromotionSettings;
import io.cloudplane.infra.temporal.WorkflowStarts;
import io.cloudplane.infra.temporal.WorkflowTags;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.release.PromotionDecision;
import io.cloudplane.workflows.release.PromotionRequest;
import io.cloudplane.workflows.release.PromotionStage;
import io.cloudplane.infra.temporal.WorkflowExecutions;
import io.cloudplane.workflows.release.PromotionStatus;
import io.cloudplane.workflows.release.PromotionWorkflow;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.failure.ApplicationFailure;

import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Promotions of a release dev -> staging -> (approval) -> production. Each is one workflow,
 * {@code promotion/<id>}; approval and rejection are a validated Temporal Update, so a second
 * decision, or one after the approval expired, is refused (409) by the workflow itself.
 */
@Controller("/api/v1/apps/{appId}/promotions")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "releases")
@Problems.Unauthorized
@Problems.BadRequest
@Problems.NotFound
public class PromotionController {
    private final AccessService access;
    private final ReleaseRepository releases;
    private final EnvironmentRepository environments;
    private final PromotionRepository promotions;
    private final DeploymentRepository deployments;
    private final WorkflowClient client;
    private final DeploySettings deploy;
    private final PromotionSettings promotion;
    private final WorkflowStarts starts;

    public PromotionController(AccessService access, ReleaseRepository releases, EnvironmentRepository environments,
                               PromotionRepository promotions, DeploymentRepository deployments, WorkflowClient client,
                               DeploySettings deploy, PromotionSettings promotion, WorkflowStarts starts) {
        this.starts = starts;
        this.access = access;
        this.releases = releases;
        this.environments = environments;
        this.promotions = promotions;
        this.deployments = deployments;
        this.client = client;
        this.deploy = deploy;
        this.promotion = promotion;
    }

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record PromoteBody(@Nullable String releaseId) {
    }

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record DecisionBody(@Nullable String comment) {
    }

    @Serdeable
    public record StageView(String name, UUID environmentId, @Nullable UUID deploymentId, @Nullable String outcome,
                            @Nullable String error) {
    }

    @Serdeable
    public record PromotionView(UUID id, UUID releaseId, PromotionStatus status, PromotionStage stage, List<StageView> stages,
                                @Nullable Instant approvalExpiresAt, @Nullable String decision, @Nullable UUID decidedBy,
                                @Nullable Instant decidedAt, @Nullable String comment, @Nullable String error,
                                @Nullable UUID createdBy, Instant createdAt, Instant updatedAt) {
    }

    @Serdeable
    public record Page(List<PromotionView> items, @Nullable String nextCursor) {
    }

    /** Promotes a release: staging, then the owner's approval, then production. 202 with the promotion. */
    @Post
    @Status(HttpStatus.ACCEPTED)
    @Accepted.Creates
    @Problems.Forbidden
    @Problems.Conflict
    @Problems.Unprocessable
    @Problems.Unavailable
    @Operation(operationId = "promoteRelease")
    public HttpResponse<PromotionView> promote(UUID appId, @Body PromoteBody body, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = access.requireApp(caller, appId);
        a.requireTeam("Only the app's owner and developers promote releases");
        AppService.requireActive(a.app());
        UUID releaseId = Ids.parse("releaseId", body.releaseId());
        ReleaseRecord release = releases.findById(releaseId).filter(r -> r.appId().equals(appId))
                .orElseThrow(() -> ApiException.badRequest("releaseId", "no release " + releaseId + " in this app"));
        DeploymentController.requireReady(release);
        List<EnvironmentRecord> envs = environments.findByAppId(appId);
        EnvironmentRecord staging = first(envs, EnvironmentRecord.EnvironmentType.STAGING);
        EnvironmentRecord production = first(envs, EnvironmentRecord.EnvironmentType.PRODUCTION);
        if (staging == null || production == null) {
            List<String> missing = new ArrayList<>();
            if (staging == null) {
                missing.add("a staging environment");
            }
            if (production == null) {
                missing.add("a production environment");
            }
            throw ApiException.unprocessable("A promotion goes through staging to production; this app has no "
                    + String.join(" and no ", missing.stream().map(m -> m.substring(2)).toList()) + ". Create "
                    + String.join(" and ", missing) + " first");
        }
        UUID id = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        PromotionRecord row;
        try {
            row = promotions.save(new PromotionRecord(id, appId, releaseId, staging.id(), production.id(),
                    PromotionStatus.DEPLOYING_STAGING, PromotionStage.STAGING, null, null, null, null, null, null, null, null,
                    caller, now, now));
        } catch (io.micronaut.data.exceptions.DataAccessException e) {
            throw ApiException.conflict("A promotion is already under way in this app; it must end (succeed, fail, be rejected, "
                    + "be cancelled or expire) before another starts");
        }
        // A promoted release is locked like a deployed one: its history refers to it.
        if (releases.lock(releaseId, now) != 1) {
            promotions.deleteById(id);
            throw ApiException.conflict("Release " + releaseId + " was deleted just now");
        }
        try {
            WorkflowClient.start(client.newWorkflowStub(PromotionWorkflow.class, starts.options(WorkflowIds.promotion(id.toString()),
                            WorkflowTags.of(appId, null, caller)))::promote,
                    new PromotionRequest(id.toString(), appId.toString(), releaseId.toString(), staging.id().toString(),
                            production.id().toString(), a.app().ownerId().toString(), caller.toString(),
                            promotion.approvalTimeoutSeconds(), deploy.healthTimeoutSeconds()));
        } catch (RuntimeException e) {
            promotions.deleteById(id);
            throw ApiException.unavailable("The workflow service cannot be reached; the promotion was not started: " + e.getMessage());
        }
        return HttpResponse.accepted(URI.create("/api/v1/apps/" + appId + "/promotions/" + id)).body(view(row));
    }

    /** Newest first, {@code limit} a page (1 to 200, default 50); {@code nextCursor} asks for the next page. */
    @Get("{?limit,cursor}")
    @Problems.Forbidden
    @Operation(operationId = "listPromotions")
    public Page list(UUID appId, @Nullable @io.micronaut.http.annotation.QueryValue @jakarta.validation.constraints.Min(1)
                     @jakarta.validation.constraints.Max(200) Integer limit,
                     @Nullable @io.micronaut.http.annotation.QueryValue String cursor, Authentication auth) {
        requireMember(Caller.id(auth), appId);
        var page = Cursor.page(cursor, limit, (at, id, n) -> promotions.findPage(appId, at, id, n), this::view);
        return new Page(page.items(), page.nextCursor());
    }

    /** One promotion: its status, stage and each stage's deployment. */
    @Get("/{promotionId}")
    @Problems.Forbidden
    @Operation(operationId = "getPromotion")
    public PromotionView get(UUID appId, UUID promotionId, Authentication auth) {
        requireMember(Caller.id(auth), appId);
        return view(require(appId, promotionId));
    }

    /** Approves the promotion's production stage (the owner only). */
    @Post("/{promotionId}/approve")
    @Problems.Forbidden
    @Problems.Conflict
    @Operation(operationId = "approvePromotion")
    public PromotionView approve(UUID appId, UUID promotionId, @Nullable @Body DecisionBody body, Authentication auth) {
        return decide(appId, promotionId, true, body, auth);
    }

    /** Rejects the promotion: production is not deployed (the owner only). */
    @Post("/{promotionId}/reject")
    @Problems.Forbidden
    @Problems.Conflict
    @Operation(operationId = "rejectPromotion")
    public PromotionView reject(UUID appId, UUID promotionId, @Nullable @Body DecisionBody body, Authentication auth) {
        return decide(appId, promotionId, false, body, auth);
    }

    /**
     * Cancels a promotion awaiting approval (whoever asked for it, or the owner): 202 with the promotion, which ends
     * CANCELLED at the approval stage; staging keeps what was deployed, production is untouched. 409 in any other
     * state, in words (staging still deploying, production deploying, ended).
     */
    @Post("/{promotionId}/cancel")
    @Status(HttpStatus.ACCEPTED)
    @Problems.Forbidden
    @Problems.Conflict
    @Operation(operationId = "cancelPromotion")
    public HttpResponse<PromotionView> cancel(UUID appId, UUID promotionId, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = requireMember(caller, appId);
        PromotionRecord p = require(appId, promotionId);
        if (a.role() != Access.Role.OWNER && !caller.equals(p.createdBy())) {
            throw ApiException.forbidden("Only whoever asked for the promotion and the app's owner cancel it");
        }
        String why = p.status().whyNotCancellable();
        if (why != null) {
            throw ApiException.conflict("The promotion cannot be cancelled: " + why);
        }
        String workflowId = WorkflowIds.promotion(promotionId.toString());
        if (!WorkflowExecutions.isRunning(client, workflowId)) {
            throw ApiException.conflict("The promotion cannot be cancelled: its workflow is gone (Temporal lost or ended it); "
                    + "it is being marked FAILED");
        }
        io.cloudplane.workflows.release.PromotionView answer;
        try {
            answer = client.newWorkflowStub(PromotionWorkflow.class, workflowId).cancel(caller.toString());
        } catch (WorkflowException e) {
            throw ApiException.conflict("The promotion cannot be cancelled: " + refusal(e, promotions.findById(promotionId).orElse(p)));
        }
        // The workflow records the row just after it answers: the answer is the promotion as it now stands.
        PromotionRecord row = require(appId, promotionId);
        PromotionRecord cancelled = new PromotionRecord(row.id(), row.appId(), row.releaseId(), row.stagingEnvId(),
                row.productionEnvId(), answer.status(), answer.stage(), row.stagingDeploymentId(), row.productionDeploymentId(),
                row.approvalExpiresAt(), caller, Instant.ofEpochMilli(answer.decidedAt()), answer.decision(), row.decisionComment(),
                row.error(), row.createdBy(), row.createdAt(), row.updatedAt());
        return HttpResponse.accepted(URI.create("/api/v1/apps/" + appId + "/promotions/" + promotionId)).body(view(cancelled));
    }

    private PromotionView decide(UUID appId, UUID promotionId, boolean approve, DecisionBody body, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = requireMember(caller, appId);
        if (a.role() != Access.Role.OWNER) {
            throw ApiException.forbidden("Only the app's owner approves or rejects a promotion");
        }
        PromotionRecord p = require(appId, promotionId);
        String comment = body == null ? null : body.comment();
        if (comment != null && comment.length() > 1000) {
            throw ApiException.badRequest("comment", "at most 1000 characters");
        }
        String workflowId = WorkflowIds.promotion(promotionId.toString());
        if (!p.status().isFinal() && !WorkflowExecutions.isRunning(client, workflowId)) {
            // Its workflow is gone (a restart of the embedded Temporal, a terminated run): nothing can carry a
            // decision out. A refusal changes nothing; PromotionRecovery ends the row FAILED within a minute.
            throw ApiException.conflict("The promotion cannot be " + (approve ? "approved" : "rejected")
                    + ": its workflow is gone (Temporal lost or ended it); it is being marked FAILED; start a new promotion");
        }
        try {
            client.newWorkflowStub(PromotionWorkflow.class, workflowId)
                    .decide(new PromotionDecision(approve, caller.toString(), comment));
        } catch (WorkflowException e) {
            PromotionRecord now = promotions.findById(promotionId).orElse(p);
            throw ApiException.conflict("The promotion cannot be " + (approve ? "approved" : "rejected") + ": "
                    + refusal(e, now));
        }
        return view(require(appId, promotionId));
    }

    /** The validator's reason when it refused, else the promotion's state (it ended: expired, failed, decided). */
    private static String refusal(Throwable e, PromotionRecord p) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ApplicationFailure af) {
                return af.getOriginalMessage();
            }
        }
        return "it is " + p.status();
    }

    private PromotionView view(PromotionRecord p) {
        List<StageView> stages = List.of(
                stage("staging", p.stagingEnvId(), p.stagingDeploymentId()),
                stage("production", p.productionEnvId(), p.productionDeploymentId()));
        return new PromotionView(p.id(), p.releaseId(), p.status(), p.stage(), stages, p.approvalExpiresAt(), p.decision(),
                p.decidedBy(), p.decidedAt(), p.decisionComment(), p.error(), p.createdBy(), p.createdAt(), p.updatedAt());
    }

    private StageView stage(String name, UUID envId, UUID deploymentId) {
        DeploymentRecord d = deploymentId == null ? null : deployments.findById(deploymentId).orElse(null);
        return new StageView(name, envId, deploymentId, d == null ? (deploymentId == null ? null : "PENDING") : d.status().name(),
                d == null ? null : d.error());
    }

    private PromotionRecord require(UUID appId, UUID promotionId) {
        return promotions.findById(promotionId).filter(p -> p.appId().equals(appId))
                .orElseThrow(() -> ApiException.notFound("promotion " + promotionId));
    }

    private Access requireMember(UUID caller, UUID appId) {
        Access a = access.requireApp(caller, appId);
        a.requireTeam("Only the app's owner and developers see its promotions");
        return a;
    }

    private static EnvironmentRecord first(List<EnvironmentRecord> envs, EnvironmentRecord.EnvironmentType type) {
        return envs.stream().filter(e -> e.type() == type && e.status() != io.cloudplane.workflows.environment.EnvironmentStatus.DELETING)
                .min(java.util.Comparator.comparing(EnvironmentRecord::createdAt)).orElse(null);
    }
}
