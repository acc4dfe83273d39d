package io.cloudplane.workflows.release;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * {@code promotion/<promotionId>}: a child {@code deploy/<id>} to staging, an approval gate (Update
 * {@code decide}, validated: the owner only, once, before it expires), then a child deployment to
 * production. A failed stage ends the promotion FAILED with the stage named; so does a rejection
 * (REJECTED) or no decision in time (EXPIRED).
 */
@WorkflowInterface
public interface PromotionWorkflow {
    @WorkflowMethod
    PromotionView promote(PromotionRequest request);

    @UpdateMethod
    PromotionView decide(PromotionDecision decision);

    @UpdateValidatorMethod(updateName = "decide")
    void validateDecide(PromotionDecision decision);

    @QueryMethod
    PromotionView view();
}
