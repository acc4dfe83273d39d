package io.cloudplane.workflows.release;

import io.cloudplane.workflows.common.ChangeIds;
import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.common.Activities;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.operation.OperationTracker;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;

import java.time.Duration;

/**
 * From change {@code cancellable-promotion}, the approval gate also ends on a {@code cancel} Update (whoever asked
 * for the promotion, or the owner): CANCELLED at the approval stage, recorded with who cancelled it and when in
 * the decision fields. An Update rather than a Temporal cancel: the caller needs an answer (refused once production
 * deploys, or a decision came first, decided by the workflow itself, race-free), and the workflow needs the user.
 */
public class PromotionWorkflowImpl implements PromotionWorkflow {
    private final DeploymentActivities deployments = Activities.deployments();
    private final PromotionActivities reports = Activities.promotionReports();

    private PromotionRequest request;
    private PromotionStatus status = PromotionStatus.DEPLOYING_STAGING;
    private PromotionStage stage = PromotionStage.STAGING;
    private String stagingDeployment;
    private String stagingOutcome;
    private String productionDeployment;
    private String productionOutcome;
    private long expiresAt;
    private PromotionDecision decision;
    private long decidedAt;
    private String error;
    private boolean cancellable;
    private String cancelledBy;

    @Override
    public PromotionView promote(PromotionRequest request) {
        this.request = request;
        cancellable = Workflow.getVersion(ChangeIds.CANCELLABLE_PROMOTION, Workflow.DEFAULT_VERSION, 1) == 1;
        stagingDeployment = Workflow.randomUUID().toString();
        stagingOutcome = "RUNNING";
        record();
        if (!deployStage(request.stagingEnvId(), stagingDeployment, PromotionStage.STAGING)) {
            stagingOutcome = "FAILED";
            return end();
        }
        stagingOutcome = "SUCCEEDED";
        status = PromotionStatus.AWAITING_APPROVAL;
        stage = PromotionStage.APPROVAL;
        expiresAt = Workflow.currentTimeMillis() + request.approvalTimeoutSeconds() * 1000;
        record();
        boolean decided = Workflow.await(Duration.ofSeconds(request.approvalTimeoutSeconds()), () -> decision != null || cancelledBy != null);
        if (cancelledBy != null) {
            return end(); // CANCELLED by the handler; staging keeps what it runs, production was never touched
        }
        if (!decided) {
            status = PromotionStatus.EXPIRED;
            error = "no one approved the promotion within " + request.approvalTimeoutSeconds() / 3600.0 + " hours";
            return end();
        }
        if (!decision.approve()) {
            status = PromotionStatus.REJECTED;
            return end();
        }
        status = PromotionStatus.DEPLOYING_PRODUCTION;
        stage = PromotionStage.PRODUCTION;
        productionDeployment = Workflow.randomUUID().toString();
        productionOutcome = "RUNNING";
        record();
        try {
            // What was approved is the release as staging ran it: if staging changed meanwhile, stop.
            deployments.requireRunning(request.stagingEnvId(), request.releaseId());
        } catch (TemporalFailure failure) {
            status = PromotionStatus.FAILED;
            productionOutcome = "FAILED";
            error = "the production stage failed: " + OperationTracker.reason(failure);
            return end();
        }
        if (!deployStage(request.productionEnvId(), productionDeployment, PromotionStage.PRODUCTION)) {
            productionOutcome = "FAILED";
            return end();
        }
        productionOutcome = "SUCCEEDED";
        status = PromotionStatus.SUCCEEDED;
        stage = PromotionStage.DONE;
        return end();
    }

    /** Deploys to one stage's environment as a child workflow; false, with {@link #error} set, when it failed. */
    private boolean deployStage(String envId, String deploymentId, PromotionStage stageName) {
        try {
            deployments.prepare(new PrepareDeployment(deploymentId, request.appId(), envId, request.releaseId(),
                    request.promotionId(), request.requestedBy()));
            // Abandoned, not terminated, with the promotion: a deployment never stops half-way through a swap.
            Workflow.newChildWorkflowStub(DeployReleaseWorkflow.class, ChildWorkflowOptions.newBuilder()
                            .setWorkflowId(WorkflowIds.deploy(deploymentId))
                            .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON).build())
                    .deploy(new DeployRequest(deploymentId, request.appId(), envId, request.releaseId(),
                            request.healthTimeoutSeconds()));
            return true;
        } catch (TemporalFailure failure) {
            status = PromotionStatus.FAILED;
            error = "the " + stageName.name().toLowerCase() + " stage failed: " + OperationTracker.reason(failure);
            return false;
        }
    }

    private PromotionView end() {
        // The decider gets the update's answer before the workflow completes.
        Workflow.await(Workflow::isEveryHandlerFinished);
        PromotionView view = view();
        record();
        if (status == PromotionStatus.FAILED) {
            // Operators see a failed promotion as a failed workflow, with the stage in the message.
            throw FailureType.PROMOTION_FAILED.nonRetryable(error);
        }
        return view;
    }

    /** Only sets the decision: the main method records it, so there is one writer of the row, in order. */
    @Override
    public PromotionView decide(PromotionDecision decision) {
        this.decision = decision;
        this.decidedAt = Workflow.currentTimeMillis();
        return view();
    }

    @Override
    public void validateDecide(PromotionDecision decision) {
        if (decision == null || decision.userId() == null) {
            throw new IllegalArgumentException("a decision needs the deciding user");
        }
        if (this.decision != null) {
            throw new IllegalStateException("the promotion was already " + (this.decision.approve() ? "approved" : "rejected")
                    + " by " + this.decision.userId());
        }
        if (cancelledBy != null) {
            throw new IllegalStateException("the promotion was cancelled by " + cancelledBy);
        }
        if (status != PromotionStatus.AWAITING_APPROVAL) {
            throw new IllegalStateException("the promotion is " + status + ", not awaiting approval");
        }
        if (Workflow.currentTimeMillis() >= expiresAt) {
            throw new IllegalStateException("the approval expired");
        }
        if (!decision.userId().equals(request.ownerId())) {
            throw new SecurityException("only the app's owner decides a promotion");
        }
    }

    /** Only marks the promotion cancelled: the main method, the row's one writer, records it and ends. */
    @Override
    public PromotionView cancel(String userId) {
        this.cancelledBy = userId;
        this.decidedAt = Workflow.currentTimeMillis();
        this.status = PromotionStatus.CANCELLED;
        return view();
    }

    @Override
    public void validateCancel(String userId) {
        if (userId == null) {
            throw new IllegalArgumentException("a cancel needs the cancelling user");
        }
        if (!cancellable) {
            throw new IllegalStateException("this promotion started before promotions could be cancelled: the owner can reject it");
        }
        if (cancelledBy != null) {
            throw new IllegalStateException("the promotion was already cancelled by " + cancelledBy);
        }
        if (status.whyNotCancellable() != null) {
            throw new IllegalStateException(status.whyNotCancellable());
        }
        if (decision != null) {
            throw new IllegalStateException("the promotion was already " + (decision.approve() ? "approved" : "rejected")
                    + " by " + decision.userId());
        }
        if (Workflow.currentTimeMillis() >= expiresAt) {
            throw new IllegalStateException("the approval expired: the promotion is ending EXPIRED");
        }
        if (!userId.equals(request.ownerId()) && !userId.equals(request.requestedBy())) {
            throw new SecurityException("only whoever asked for the promotion and the app's owner cancel it");
        }
    }

    @Override
    public PromotionView view() {
        return new PromotionView(request == null ? null : request.promotionId(), status, stage, stagingDeployment, stagingOutcome,
                productionDeployment, productionOutcome, expiresAt,
                cancelledBy != null ? "CANCELLED" : decision == null ? null : decision.approve() ? "APPROVED" : "REJECTED",
                cancelledBy != null ? cancelledBy : decision == null ? null : decision.userId(), decidedAt,
                decision == null ? null : decision.comment(), error);
    }

    private void record() {
        reports.recordPromotion(view());
    }
}
