package io.cloudplane.workflows.release;

/** The stage a promotion is in, or stopped in: staging, the approval gate, production; DONE once it succeeded. */
public enum PromotionStage {
    STAGING, APPROVAL, PRODUCTION, DONE
}
