package io.cloudplane.workflows.release;

import io.temporal.activity.ActivityInterface;

/** Writes a promotion's state to its row, so that the API reads it without asking Temporal. */
@ActivityInterface
public interface PromotionActivities {
    void recordPromotion(PromotionView view);
}
