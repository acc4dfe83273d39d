package io.cloudplane.api.release;

import io.cloudplane.api.JsonCalls;
import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.release.PromotionRecord;
import io.cloudplane.infra.release.PromotionRepository;
import io.cloudplane.infra.release.ReleaseRecord;
import io.cloudplane.infra.release.ReleaseRepository;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.release.DeployPlan;
import io.cloudplane.workflows.release.DeployReleaseWorkflow;
import io.cloudplane.workflows.release.DeployRequest;
import io.cloudplane.workflows.release.DeployResult;
import io.cloudplane.workflows.release.DeploymentActivities;
import io.cloudplane.workflows.release.PrepareDeployment;
import io.cloudplane.workflows.release.PromotionActivities;
import io.cloudplane.workflows.release.PromotionRequest;
import io.cloudplane.workflows.release.PromotionStage;
import io.cloudplane.workflows.release.PromotionStatus;
import io.cloudplane.workflows.release.PromotionView;
import io.cloudplane.workflows.release.PromotionWorkflow;
import io.cloudplane.workflows.release.PromotionWorkflowImpl;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST …/promotions/{promotionId}/cancel} against the embedded PostgreSQL and Temporal. The promotion's
 * workflow is the real one, run here on a task queue of the test's own, with deployments that succeed at once and
 * a row writer that records what the workflow reports (as the worker's PromotionActivitiesImpl does).
 */
@MicronautTest(transactional = false)
class PromotionCancelApiTest {
    @Inject EmbeddedServer server;
    @Inject JsonMapper json;
    @Inject WorkflowClient client;
    @Inject AppMemberRepository members;
    @Inject ReleaseRepository releases;
    @Inject PromotionRepository promotions;

    private JsonCalls calls() {
        return new JsonCalls(server, json);
    }

    record User(UUID id, String token) {
    }

    @SuppressWarnings("unchecked")
    private User signUp() throws Exception {
        String email = "pc-" + UUID.randomUUID() + "@example.com";
        var account = calls().call("POST", "/api/v1/accounts", Map.of("email", email, "password", "correct-horse-battery",
                "firstName", "Ada", "lastName", "Lovelace"), null);
        assertEquals(201, account.status(), account.body().toString());
        UUID id = UUID.fromString((String) ((Map<String, Object>) account.body().get("account")).get("id"));
        String token = (String) calls().call("POST", "/api/v1/sessions", Map.of("email", email, "password", "correct-horse-battery"), null)
                .body().get("accessToken");
        return new User(id, token);
    }

    private UUID environment(User owner, String appId, String type) throws Exception {
        var env = calls().call("POST", "/api/v1/apps/" + appId + "/environments", Map.of("name", type, "type", type), owner.token());
        assertEquals(202, env.status(), env.body().toString());
        return UUID.fromString((String) env.body().get("id"));
    }

    /** Deployments that succeed at once: the promotion reaches its approval gate in a moment. */
    public static class InstantDeploy implements DeployReleaseWorkflow {
        @Override
        public DeployResult deploy(DeployRequest request) {
            return new DeployResult(request.deploymentId(), request.releaseId(), true, null);
        }
    }

    static class NoDeployments implements DeploymentActivities {
        public void prepare(PrepareDeployment request) { }
        public void requireRunning(String envId, String releaseId) { }
        public DeployPlan begin(String deploymentId) { throw new UnsupportedOperationException(); }
        public void stage(String deploymentId) { }
        public void activate(String deploymentId) { }
        public void revertCode(String deploymentId) { }
        public void markDataRestored(String deploymentId) { }
        public void finish(String deploymentId, boolean succeeded, String error) { }
    }

    /** Writes the row's status, stage and decision from what the workflow reports. */
    class RowWriter implements PromotionActivities {
        @Override
        public void recordPromotion(PromotionView v) {
            PromotionRecord p = promotions.findById(UUID.fromString(v.promotionId())).orElseThrow();
            promotions.update(new PromotionRecord(p.id(), p.appId(), p.releaseId(), p.stagingEnvId(), p.productionEnvId(), v.status(),
                    v.stage(), p.stagingDeploymentId(), p.productionDeploymentId(), p.approvalExpiresAt(),
                    v.decidedBy() == null ? null : UUID.fromString(v.decidedBy()),
                    v.decidedAt() == 0 ? null : Instant.ofEpochMilli(v.decidedAt()), v.decision(), v.comment(), v.error(),
                    p.createdBy(), p.createdAt(), Instant.now().truncatedTo(ChronoUnit.MICROS)));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void whoeverAskedForAPromotionOrTheOwnerCancelsItWhileItAwaitsApprovalAndOtherwiseTheRefusalSaysWhy() throws Exception {
        User owner = signUp();
        User requester = signUp();
        User colleague = signUp();
        var app = calls().call("POST", "/api/v1/apps", Map.of("name", "pc-" + UUID.randomUUID().toString().substring(0, 8)), owner.token());
        String appId = (String) app.body().get("id");
        UUID staging = environment(owner, appId, "staging");
        UUID production = environment(owner, appId, "production");
        for (User developer : new User[] {requester, colleague}) {
            members.save(AppMemberRecord.of(UUID.fromString(appId), developer.id(), AppMemberRecord.Role.DEVELOPER));
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UUID releaseId = UUID.randomUUID();
        releases.save(new ReleaseRecord(releaseId, UUID.fromString(appId), "r", null, staging, "staging", ReleaseRecord.Status.READY,
                "releases/x", "0".repeat(64), 1L, null, requester.id(), now, null));
        UUID promotionId = UUID.randomUUID();
        promotions.save(new PromotionRecord(promotionId, UUID.fromString(appId), releaseId, staging, production,
                PromotionStatus.DEPLOYING_STAGING, PromotionStage.STAGING, null, null, null, null, null, null, null, null,
                requester.id(), now, now));
        String base = "/api/v1/apps/" + appId + "/promotions/";

        // Before its workflow is past staging: refused in words, by the row.
        var early = calls().call("POST", base + promotionId + "/cancel", null, requester.token());
        assertEquals(409, early.status(), early.body().toString());
        assertTrue(String.valueOf(early.body().get("detail")).contains("staging is still being deployed"), early.body().toString());

        WorkerFactory factory = WorkerFactory.newInstance(client);
        try {
            String queue = "promotion-cancel-" + promotionId;
            Worker worker = factory.newWorker(queue);
            worker.registerWorkflowImplementationTypes(PromotionWorkflowImpl.class, InstantDeploy.class);
            worker.registerActivitiesImplementations(new NoDeployments(), new RowWriter());
            factory.start();
            String workflowId = WorkflowIds.promotion(promotionId.toString());
            WorkflowClient.start(client.newWorkflowStub(PromotionWorkflow.class, WorkflowOptions.newBuilder()
                    .setWorkflowId(workflowId).setTaskQueue(queue).build())::promote, new PromotionRequest(promotionId.toString(), appId,
                    releaseId.toString(), staging.toString(), production.toString(), owner.id().toString(), requester.id().toString(),
                    Duration.ofHours(1).toSeconds(), 90));
            await("awaiting approval").atMost(Duration.ofSeconds(30))
                    .until(() -> promotions.findById(promotionId).orElseThrow().status() == PromotionStatus.AWAITING_APPROVAL);

            // Another developer did not ask for it: 403; an unknown promotion: 404; neither changes anything.
            var notTheirs = calls().call("POST", base + promotionId + "/cancel", null, colleague.token());
            assertEquals(403, notTheirs.status(), notTheirs.body().toString());
            assertEquals(404, calls().call("POST", base + UUID.randomUUID() + "/cancel", null, requester.token()).status());
            assertEquals(PromotionStatus.AWAITING_APPROVAL, promotions.findById(promotionId).orElseThrow().status());

            var cancelled = calls().call("POST", base + promotionId + "/cancel", null, requester.token());
            assertEquals(202, cancelled.status(), cancelled.body().toString());
            assertEquals(promotionId.toString(), cancelled.body().get("id"));
            assertEquals("CANCELLED", cancelled.body().get("status"));
            assertEquals("CANCELLED", cancelled.body().get("decision"));
            assertEquals(requester.id().toString(), cancelled.body().get("decidedBy"));
            assertEquals(PromotionStatus.CANCELLED, client.newUntypedWorkflowStub(workflowId).getResult(PromotionView.class).status());
            await("the row ends CANCELLED").atMost(Duration.ofSeconds(10))
                    .until(() -> promotions.findById(promotionId).orElseThrow().status() == PromotionStatus.CANCELLED);
            PromotionRecord row = promotions.findById(promotionId).orElseThrow();
            assertEquals(requester.id(), row.decidedBy());
            assertEquals(PromotionStage.APPROVAL, row.stage());
            var stagingStage = ((java.util.List<Map<String, Object>>) calls().call("GET", base + promotionId, null, owner.token())
                    .body().get("stages")).get(0);
            assertEquals(staging.toString(), stagingStage.get("environmentId"));

            var again = calls().call("POST", base + promotionId + "/cancel", null, owner.token());
            assertEquals(409, again.status(), again.body().toString());
            assertTrue(String.valueOf(again.body().get("detail")).contains("already ended (CANCELLED)"), again.body().toString());
        } finally {
            factory.shutdownNow();
        }

        // Once approved and deploying production, even the owner's cancel is refused, saying why.
        UUID deploying = UUID.randomUUID();
        promotions.save(new PromotionRecord(deploying, UUID.fromString(appId), releaseId, staging, production,
                PromotionStatus.DEPLOYING_PRODUCTION, PromotionStage.PRODUCTION, null, null, null, owner.id(), now, "APPROVED", null,
                null, requester.id(), now, now));
        var late = calls().call("POST", base + deploying + "/cancel", null, owner.token());
        assertEquals(409, late.status(), late.body().toString());
        assertTrue(String.valueOf(late.body().get("detail")).contains("production is already being deployed"), late.body().toString());
        assertEquals(PromotionStatus.DEPLOYING_PRODUCTION, promotions.findById(deploying).orElseThrow().status());
    }
}
