package io.cloudplane.workflows.release;

/**
 * Where a promotion stands. The first three are unfinished (the promotions table allows one
 * unfinished promotion per app); the others are final.
 */
public enum PromotionStatus {
    DEPLOYING_STAGING, AWAITING_APPROVAL, DEPLOYING_PRODUCTION, SUCCEEDED, FAILED, REJECTED, EXPIRED, CANCELLED;

    /** SUCCEEDED, FAILED, REJECTED, EXPIRED or CANCELLED: nothing happens to it any more. */
    public boolean isFinal() {
        return switch (this) {
            case DEPLOYING_STAGING, AWAITING_APPROVAL, DEPLOYING_PRODUCTION -> false;
            case SUCCEEDED, FAILED, REJECTED, EXPIRED, CANCELLED -> true;
        };
    }

    /**
     * Why a promotion in this status cannot be cancelled, in words; null while it awaits approval (the only
     * status in which it can).
     */
    public String whyNotCancellable() {
        return switch (this) {
            case AWAITING_APPROVAL -> null;
            case DEPLOYING_STAGING -> "staging is still being deployed: a promotion can be cancelled once it awaits approval";
            case DEPLOYING_PRODUCTION -> "it was approved and production is already being deployed: a deployment is not "
                    + "stopped half-way";
            case SUCCEEDED, FAILED, REJECTED, EXPIRED, CANCELLED -> "it has already ended (" + this + "): there is nothing to cancel";
        };
    }
}
