package io.cloudplane.workflows.release;

import io.cloudplane.workflows.Histories;
import io.cloudplane.workflows.WorkflowTestSupport;
import io.cloudplane.workflows.common.WorkflowIds;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.unsafe.WorkflowUnsafe;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.InOrder;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/**
 * A promotion in skipped time: staging, an approval gate decided by the owner through an Update
 * (validated: once, in time, by the owner), then production. The deployments are a fake child
 * {@code deploy/<id>} whose outcome each test sets per environment.
 */
class PromotionWorkflowTest {
    private static final String PROMOTION = "p1";
    private static final String WORKFLOW_ID = WorkflowIds.promotion(PROMOTION);
    private static final String STAGING = "e-staging";
    private static final String PRODUCTION = "e-production";
    private static final String OWNER = "u-owner";
    private static final long SEVEN_DAYS = Duration.ofDays(7).toSeconds();

    private final WorkflowTestSupport mocks = new WorkflowTestSupport();
    /** What the fake child deploys do, by environment: absent is a success. */
    private static final Map<String, Outcome> OUTCOMES = new ConcurrentHashMap<>();
    /** Every deployment the fake child ran: its workflow ID and request. */
    private static final List<Deployed> DEPLOYED = new CopyOnWriteArrayList<>();

    private TestWorkflowEnvironment env;

    @RegisterExtension
    final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
            .registerWorkflowImplementationTypes(PromotionWorkflowImpl.class, FakeDeploy.class)
            .setActivityImplementations(mocks.all())
            .setInitialTime(Instant.parse("2027-03-01T10:00:00Z"))
            .setDoNotStart(true)
            .build();

    @BeforeEach
    void forget() {
        OUTCOMES.clear();
        DEPLOYED.clear();
    }

    record Outcome(Duration takes, String failure) {
    }

    record Deployed(String workflowId, DeployRequest request) {
    }

    /** A deployment that takes the time its environment's outcome says, then succeeds or fails with its message. */
    public static class FakeDeploy implements DeployReleaseWorkflow {
        @Override
        public DeployResult deploy(DeployRequest request) {
            if (!WorkflowUnsafe.isReplaying()) {
                DEPLOYED.add(new Deployed(Workflow.getInfo().getWorkflowId(), request));
            }
            Outcome outcome = OUTCOMES.getOrDefault(request.envId(), new Outcome(Duration.ofMinutes(3), null));
            Workflow.sleep(outcome.takes());
            if (outcome.failure() != null) {
                throw ApplicationFailure.newNonRetryableFailure(outcome.failure(), "DeployFailed");
            }
            return new DeployResult(request.deploymentId(), request.releaseId(), true, null);
        }
    }

    private static PromotionRequest request() {
        return new PromotionRequest(PROMOTION, "a1", "r1", STAGING, PRODUCTION, OWNER, "u-requester", SEVEN_DAYS, 90);
    }

    /** Starts the promotion and returns its typed stub, for updates, queries and the result. */
    private PromotionWorkflow start(TestWorkflowEnvironment testEnv, WorkflowClient client, Worker worker) {
        env = testEnv;
        mocks.promotions.clock = testEnv::currentTimeMillis;
        testEnv.start();
        PromotionWorkflow promotion = client.newWorkflowStub(PromotionWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(WORKFLOW_ID).setTaskQueue(worker.getTaskQueue()).build());
        WorkflowClient.start(promotion::promote, request());
        return client.newWorkflowStub(PromotionWorkflow.class, WORKFLOW_ID);
    }

    /** Lets workflow time run (staging's deployment takes minutes) until the promotion awaits its decision. */
    private void awaitApproval(PromotionWorkflow promotion) {
        await("awaiting approval").until(() -> {
            env.sleep(Duration.ofMinutes(1));
            return promotion.view().status() == PromotionStatus.AWAITING_APPROVAL;
        });
    }

    private static PromotionView result(WorkflowClient client) {
        return client.newUntypedWorkflowStub(WORKFLOW_ID).getResult(PromotionView.class);
    }

    private List<String> deployedEnvs() {
        return DEPLOYED.stream().map(d -> d.request().envId()).toList();
    }

    private void verifyProductionNeverPrepared() {
        verify(mocks.deployments, never()).prepare(argThat(p -> p.envId().equals(PRODUCTION)));
        assertTrue(DEPLOYED.stream().noneMatch(d -> d.request().envId().equals(PRODUCTION)), "production was deployed: " + DEPLOYED);
    }

    /** The validator's refusal of an update, with the message it gave. */
    private static String refusal(WorkflowUpdateException refused) {
        ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, refused.getCause());
        return cause.getOriginalMessage();
    }

    @Test
    void anApprovedPromotionDeploysStagingThenProduction(TestWorkflowEnvironment testEnv, WorkflowClient client, Worker worker)
            throws Exception {
        PromotionWorkflow promotion = start(testEnv, client, worker);
        awaitApproval(promotion);
        PromotionView waiting = promotion.view();
        assertEquals(PromotionStage.APPROVAL, waiting.stage());
        assertEquals("SUCCEEDED", waiting.stagingOutcome());
        assertNull(waiting.productionDeploymentId());
        assertEquals(List.of(STAGING), deployedEnvs());
        long approvedAt = env.currentTimeMillis();

        PromotionView afterDecision = promotion.decide(new PromotionDecision(true, OWNER, "ship it"));
        assertEquals("APPROVED", afterDecision.decision());
        assertEquals(OWNER, afterDecision.decidedBy());

        PromotionView done = result(client);
        assertEquals(PromotionStatus.SUCCEEDED, done.status());
        assertEquals(PromotionStage.DONE, done.stage());
        assertEquals("SUCCEEDED", done.stagingOutcome());
        assertEquals("SUCCEEDED", done.productionOutcome());
        assertEquals("APPROVED", done.decision());
        assertEquals(OWNER, done.decidedBy());
        assertEquals("ship it", done.comment());
        assertTrue(done.decidedAt() >= approvedAt && done.decidedAt() < done.approvalExpiresAt(), "decidedAt " + done.decidedAt());
        assertNull(done.error());

        // Each stage's deployment: prepared (rows written) then run as the child deploy/<its id>.
        InOrder order = inOrder(mocks.deployments);
        order.verify(mocks.deployments).prepare(new PrepareDeployment(done.stagingDeploymentId(), "a1", STAGING, "r1", PROMOTION,
                "u-requester"));
        order.verify(mocks.deployments).prepare(new PrepareDeployment(done.productionDeploymentId(), "a1", PRODUCTION, "r1",
                PROMOTION, "u-requester"));
        assertEquals(List.of(
                new Deployed("deploy/" + done.stagingDeploymentId(),
                        new DeployRequest(done.stagingDeploymentId(), "a1", STAGING, "r1", 90)),
                new Deployed("deploy/" + done.productionDeploymentId(),
                        new DeployRequest(done.productionDeploymentId(), "a1", PRODUCTION, "r1", 90))), DEPLOYED);
        assertTrue(!done.stagingDeploymentId().equals(done.productionDeploymentId()));

        // The row follows the stages.
        List<PromotionStatus> statuses = mocks.promotions.statuses();
        assertEquals(PromotionStatus.DEPLOYING_STAGING, statuses.get(0));
        assertEquals(PromotionStatus.SUCCEEDED, statuses.get(statuses.size() - 1));
        assertTrue(statuses.indexOf(PromotionStatus.AWAITING_APPROVAL) < statuses.indexOf(PromotionStatus.DEPLOYING_PRODUCTION),
                statuses.toString());
        assertEquals(done, mocks.promotions.last());
        PromotionView first = mocks.promotions.views.get(0);
        assertEquals(PromotionStage.STAGING, first.stage());
        assertEquals("RUNNING", first.stagingOutcome());
        assertTrue(mocks.promotions.views.stream().anyMatch(v -> v.stage() == PromotionStage.PRODUCTION
                && "RUNNING".equals(v.productionOutcome()) && "APPROVED".equals(v.decision())));
        Histories.saveIfAsked(client, WORKFLOW_ID, "PromotionWorkflow", "approved.json");
    }

    @Test
    void withoutADecisionInTimeThePromotionExpiresAndProductionIsNeverDeployed(TestWorkflowEnvironment testEnv,
                                                                                WorkflowClient client, Worker worker)
            throws Exception {
        PromotionWorkflow promotion = start(testEnv, client, worker);
        awaitApproval(promotion);
        long expiresAt = promotion.view().approvalExpiresAt();
        int awaiting = mocks.promotions.views.stream().map(PromotionView::status).toList()
                .indexOf(PromotionStatus.AWAITING_APPROVAL);
        long awaitingRecordedAt = mocks.promotions.times.get(awaiting);
        assertTrue(Math.abs(expiresAt - awaitingRecordedAt - Duration.ofDays(7).toMillis()) <= Duration.ofMinutes(2).toMillis(),
                "the approval expires 7 days after staging succeeded");

        env.sleep(Duration.ofDays(7).minusMinutes(5));
        assertEquals(PromotionStatus.AWAITING_APPROVAL, promotion.view().status(), "minutes before the end it still waits");

        PromotionView expired = result(client);
        assertEquals(PromotionStatus.EXPIRED, expired.status());
        assertEquals(PromotionStage.APPROVAL, expired.stage());
        assertNull(expired.decision());
        assertNotNull(expired.error());
        assertTrue(expired.error().contains("168.0 hours"), expired.error());
        assertTrue(mocks.promotions.times.get(mocks.promotions.times.size() - 1) >= expiresAt,
                "expired before its time");
        assertEquals(expired, mocks.promotions.last());
        verifyProductionNeverPrepared();

        // Too late: the promotion is over, and an approval now changes nothing.
        int recorded = mocks.promotions.views.size();
        // The workflow has completed: no handler is left to take the update.
        assertThrows(WorkflowNotFoundException.class,
                () -> promotion.decide(new PromotionDecision(true, OWNER, "sorry, I was away")));
        assertEquals(recorded, mocks.promotions.views.size());
        assertEquals(PromotionStatus.EXPIRED, mocks.promotions.last().status());
        verifyProductionNeverPrepared();
        Histories.saveIfAsked(client, WORKFLOW_ID, "PromotionWorkflow", "expired.json");
    }

    @Test
    void aSecondDecisionIsRefusedAndChangesNothing(TestWorkflowEnvironment testEnv, WorkflowClient client, Worker worker)
            throws Exception {
        OUTCOMES.put(PRODUCTION, new Outcome(Duration.ofHours(1), null)); // production is still deploying at the second try
        PromotionWorkflow promotion = start(testEnv, client, worker);
        awaitApproval(promotion);
        promotion.decide(new PromotionDecision(true, OWNER, "first"));
        int recorded = mocks.promotions.views.size();

        WorkflowUpdateException refused = assertThrows(WorkflowUpdateException.class,
                () -> promotion.decide(new PromotionDecision(false, OWNER, "second thoughts")));
        assertTrue(refusal(refused).contains("already approved"), refusal(refused));

        PromotionView done = result(client);
        assertEquals(PromotionStatus.SUCCEEDED, done.status());
        assertEquals("APPROVED", done.decision());
        assertEquals("first", done.comment());
        assertTrue(mocks.promotions.views.subList(recorded, mocks.promotions.views.size()).stream()
                .noneMatch(v -> "REJECTED".equals(v.decision()) || "second thoughts".equals(v.comment())));
        verify(mocks.deployments, times(2)).prepare(any());
    }

    @Test
    void onlyTheOwnerDecides(TestWorkflowEnvironment testEnv, WorkflowClient client, Worker worker) throws Exception {
        PromotionWorkflow promotion = start(testEnv, client, worker);
        awaitApproval(promotion);
        int recorded = mocks.promotions.views.size();

        WorkflowUpdateException refused = assertThrows(WorkflowUpdateException.class,
                () -> promotion.decide(new PromotionDecision(true, "u-intruder", "let me")));
        assertTrue(refusal(refused).contains("owner"), refusal(refused));
        assertEquals(recorded, mocks.promotions.views.size());
        PromotionView still = promotion.view();
        assertEquals(PromotionStatus.AWAITING_APPROVAL, still.status());
        assertNull(still.decision());
        assertNull(still.decidedBy());
        verifyProductionNeverPrepared();

        // The refusal did not use up the decision: the owner still approves.
        promotion.decide(new PromotionDecision(true, OWNER, null));
        PromotionView done = result(client);
        assertEquals(PromotionStatus.SUCCEEDED, done.status());
        assertEquals(OWNER, done.decidedBy());
    }

    @Test
    void aRejectionEndsThePromotionWithoutProduction(TestWorkflowEnvironment testEnv, WorkflowClient client, Worker worker)
            throws Exception {
        PromotionWorkflow promotion = start(testEnv, client, worker);
        awaitApproval(promotion);

        // Only until the workflow accepted it: the decider's answer is another test's subject.
        WorkflowStub.fromTyped(promotion).startUpdate("decide", WorkflowUpdateStage.ACCEPTED, PromotionView.class,
                new PromotionDecision(false, OWNER, "not this week"));

        PromotionView done = result(client);
        assertEquals(PromotionStatus.REJECTED, done.status());
        assertEquals("REJECTED", done.decision());
        assertEquals(OWNER, done.decidedBy());
        assertEquals("not this week", done.comment());
        assertNull(done.productionOutcome());
        // The row is written REJECTED (whether that write is the last is the next test's subject).
        assertTrue(mocks.promotions.views.stream().anyMatch(v -> v.equals(done)), mocks.promotions.statuses().toString());
        verifyProductionNeverPrepared();
    }

    /**
     * A rejection is answered to whoever rejected, and the promotion's row ends REJECTED: the Update
     * handler only sets the decision, and the main method, the row's only writer, waits for every
     * handler to finish before it completes. (Before, the handler wrote too, and a slow write of
     * its own could land after REJECTED, or the workflow completed before the Update answered.)
     */
    @Test
    void aRejectionIsAnsweredAndTheRowEndsRejectedWhateverTheOrderOfTheWrites(TestWorkflowEnvironment testEnv,
                                                                             WorkflowClient client, Worker worker)
            throws Exception {
        mocks.promotions.decisionWriteMillis = 500;
        PromotionWorkflow promotion = start(testEnv, client, worker);
        awaitApproval(promotion);

        PromotionView decided = promotion.decide(new PromotionDecision(false, OWNER, "not this week"));
        assertEquals("REJECTED", decided.decision());
        assertEquals(OWNER, decided.decidedBy());

        assertEquals(PromotionStatus.REJECTED, result(client).status());
        // One writer: the main method records the decision with the outcome, after every handler finished.
        assertTrue(mocks.promotions.views.stream()
                        .noneMatch(v -> v.decision() != null && v.status() == PromotionStatus.AWAITING_APPROVAL),
                "no write of a decided promotion as still awaiting: " + mocks.promotions.statuses());
        assertEquals(PromotionStatus.REJECTED, mocks.promotions.last().status(),
                "the row was last written with " + mocks.promotions.statuses());
        assertEquals("REJECTED", mocks.promotions.last().decision());
    }

    @Test
    void aFailedStagingDeploymentFailsThePromotionNamingStaging(TestWorkflowEnvironment testEnv, WorkflowClient client,
                                                                Worker worker) {
        OUTCOMES.put(STAGING, new Outcome(Duration.ofMinutes(2), "the server did not answer /health within 90 s"));
        PromotionWorkflow promotion = start(testEnv, client, worker);

        WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> result(client));

        ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failed.getCause());
        assertEquals("PromotionFailed", cause.getType());
        assertEquals("the staging stage failed: the server did not answer /health within 90 s", cause.getOriginalMessage());
        PromotionView last = mocks.promotions.last();
        assertEquals(PromotionStatus.FAILED, last.status());
        assertEquals(PromotionStage.STAGING, last.stage());
        assertEquals("FAILED", last.stagingOutcome());
        assertEquals(cause.getOriginalMessage(), last.error());
        assertTrue(mocks.promotions.views.stream().noneMatch(v -> v.status() == PromotionStatus.AWAITING_APPROVAL));
        verify(mocks.deployments, times(1)).prepare(any());
        verifyProductionNeverPrepared();
        assertEquals(List.of(STAGING), deployedEnvs());
    }

    @Test
    void aFailedProductionDeploymentFailsThePromotionNamingProduction(TestWorkflowEnvironment testEnv, WorkflowClient client,
                                                                      Worker worker) throws Exception {
        OUTCOMES.put(PRODUCTION, new Outcome(Duration.ofMinutes(4), "the artifact's SHA-256 does not match"));
        PromotionWorkflow promotion = start(testEnv, client, worker);
        awaitApproval(promotion);
        promotion.decide(new PromotionDecision(true, OWNER, null));

        WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> result(client));

        ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failed.getCause());
        assertEquals("the production stage failed: the artifact's SHA-256 does not match", cause.getOriginalMessage());
        PromotionView last = mocks.promotions.last();
        assertEquals(PromotionStatus.FAILED, last.status());
        assertEquals(PromotionStage.PRODUCTION, last.stage());
        assertEquals("SUCCEEDED", last.stagingOutcome());
        assertEquals("FAILED", last.productionOutcome());
        assertEquals("APPROVED", last.decision());
        assertEquals(cause.getOriginalMessage(), last.error());
        assertTrue(mocks.promotions.views.stream().noneMatch(v -> v.status() == PromotionStatus.SUCCEEDED), "never SUCCEEDED");
        assertEquals(List.of(STAGING, PRODUCTION), deployedEnvs());
    }

    @Test
    void aBusyEnvironmentFailsThePromotionNamingTheStageWithoutRetrying(TestWorkflowEnvironment testEnv,
                                                                        WorkflowClient client, Worker worker)
            throws Exception {
        String busy = "the environment is busy: a RESTORE operation holds it";
        // A plain failure: its type alone must stop the retries.
        doThrow(ApplicationFailure.newFailure(busy, "EnvironmentBusy"))
                .when(mocks.deployments).prepare(argThat(p -> p != null && p.envId().equals(PRODUCTION)));
        PromotionWorkflow promotion = start(testEnv, client, worker);
        awaitApproval(promotion);
        promotion.decide(new PromotionDecision(true, OWNER, null));

        WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> result(client));

        ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failed.getCause());
        assertEquals("the production stage failed: " + busy, cause.getOriginalMessage());
        verify(mocks.deployments, times(1)).prepare(argThat(p -> p != null && p.envId().equals(PRODUCTION)));
        PromotionView last = mocks.promotions.last();
        assertEquals(PromotionStatus.FAILED, last.status());
        assertEquals(PromotionStage.PRODUCTION, last.stage());
        assertEquals("FAILED", last.productionOutcome());
        assertEquals(List.of(STAGING), deployedEnvs()); // the production child never started
    }

    @Test
    void aPromotionAwaitingApprovalIsCancelledByWhoeverAskedForItAndProductionIsNeverDeployed(TestWorkflowEnvironment testEnv,
                                                                                             WorkflowClient client, Worker worker)
            throws Exception {
        PromotionWorkflow promotion = start(testEnv, client, worker);
        awaitApproval(promotion);
        long cancelledAt = env.currentTimeMillis();

        PromotionView answered = promotion.cancel("u-requester");
        assertEquals(PromotionStatus.CANCELLED, answered.status());
        assertEquals("CANCELLED", answered.decision());
        assertEquals("u-requester", answered.decidedBy());

        PromotionView done = result(client);
        assertEquals(PromotionStatus.CANCELLED, done.status());
        assertEquals(PromotionStage.APPROVAL, done.stage(), "stopped at the approval gate");
        assertEquals("SUCCEEDED", done.stagingOutcome(), "staging keeps what was deployed");
        assertNull(done.productionDeploymentId());
        assertNull(done.productionOutcome());
        assertEquals("CANCELLED", done.decision());
        assertEquals("u-requester", done.decidedBy());
        assertTrue(done.decidedAt() >= cancelledAt && done.decidedAt() < done.approvalExpiresAt(), "decidedAt " + done.decidedAt());
        assertNull(done.error());
        assertEquals(done, mocks.promotions.last(), "the row ends CANCELLED, with who and when");
        assertTrue(mocks.promotions.views.stream().noneMatch(v -> v.status() == PromotionStatus.DEPLOYING_PRODUCTION));
        verifyProductionNeverPrepared();
        assertEquals(List.of(STAGING), deployedEnvs());
        Histories.saveIfAsked(client, WORKFLOW_ID, "PromotionWorkflow", "cancelled.json");
    }

    @Test
    void theOwnerCancelsTooButNoOneElseDoesAndACancelledPromotionTakesNoDecision(TestWorkflowEnvironment testEnv,
                                                                                WorkflowClient client, Worker worker)
            throws Exception {
        PromotionWorkflow promotion = start(testEnv, client, worker);
        awaitApproval(promotion);
        int recorded = mocks.promotions.views.size();

        WorkflowUpdateException intruder = assertThrows(WorkflowUpdateException.class, () -> promotion.cancel("u-intruder"));
        assertTrue(refusal(intruder).contains("only whoever asked for the promotion and the app's owner"), refusal(intruder));
        assertEquals(recorded, mocks.promotions.views.size());
        assertEquals(PromotionStatus.AWAITING_APPROVAL, promotion.view().status(), "a refused cancel changes nothing");

        // Held until accepted only: the cancel and an approval racing it are decided in the workflow, in order.
        WorkflowStub.fromTyped(promotion).startUpdate("cancel", WorkflowUpdateStage.ACCEPTED, PromotionView.class, OWNER);
        assertEquals(PromotionStatus.CANCELLED, result(client).status());
        assertEquals(OWNER, mocks.promotions.last().decidedBy());
        assertThrows(WorkflowNotFoundException.class, () -> promotion.decide(new PromotionDecision(true, OWNER, "too late")));
        verifyProductionNeverPrepared();
    }

    @Test
    void aCancelIsRefusedWhileStagingDeploysAndOnceProductionDeploys(TestWorkflowEnvironment testEnv, WorkflowClient client,
                                                                      Worker worker) throws Exception {
        OUTCOMES.put(STAGING, new Outcome(Duration.ofMinutes(10), null));
        OUTCOMES.put(PRODUCTION, new Outcome(Duration.ofHours(1), null)); // production is still deploying at the cancel
        PromotionWorkflow promotion = start(testEnv, client, worker);
        await("staging deploying").until(() -> promotion.view() != null && promotion.view().status() == PromotionStatus.DEPLOYING_STAGING
                && !DEPLOYED.isEmpty());
        WorkflowUpdateException early = assertThrows(WorkflowUpdateException.class, () -> promotion.cancel("u-requester"));
        assertTrue(refusal(early).contains("staging is still being deployed"), refusal(early));

        awaitApproval(promotion);
        promotion.decide(new PromotionDecision(true, OWNER, "ship it"));
        await("production deploying").until(() -> promotion.view().status() == PromotionStatus.DEPLOYING_PRODUCTION);
        WorkflowUpdateException late = assertThrows(WorkflowUpdateException.class, () -> promotion.cancel(OWNER));
        assertTrue(refusal(late).contains("production is already being deployed"), refusal(late));

        PromotionView done = result(client);
        assertEquals(PromotionStatus.SUCCEEDED, done.status(), "the refused cancel did not stop production");
        assertEquals("APPROVED", done.decision());
        assertEquals(List.of(STAGING, PRODUCTION), deployedEnvs());
        assertTrue(mocks.promotions.views.stream().noneMatch(v -> v.status() == PromotionStatus.CANCELLED));
    }
}
