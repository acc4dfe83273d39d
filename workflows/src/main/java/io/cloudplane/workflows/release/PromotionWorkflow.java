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
 * (REJECTED) or no decision in time (EXPIRED). While it awaits approval, whoever asked for it or the
 * owner may cancel it (Update {@code cancel}, validated; change {@code cancellable-promotion}): it ends
 * CANCELLED, staging keeps what was deployed, production is untouched.
 */
@WorkflowInterface
public interface PromotionWorkflow {
    @WorkflowMethod
    PromotionView promote(PromotionRequest request);

    @UpdateMethod
    PromotionView decide(PromotionDecision decision);

    @UpdateValidatorMethod(updateName = "decide")
    void validateDecide(PromotionDecision decision);

    /** Cancels the promotion while it awaits approval; the answer is the promotion, CANCELLED. */
    @UpdateMethod
    PromotionView cancel(String userId);

    @UpdateValidatorMethod(updateName = "cancel")
    void validateCancel(String userId);

    @QueryMethod
    PromotionView view();
}
