package io.cloudplane.workflows.release;

/**
 * Where a promotion stands. The first three are unfinished (the promotions table allows one
 * unfinished promotion per app); the others are final.
 */
public enum PromotionStatus {
    DEPLOYING_STAGING, AWAITING_APPROVAL, DEPLOYING_PRODUCTION, SUCCEEDED, FAILED, REJECTED, EXPIRED;

    /** SUCCEEDED, FAILED, REJECTED or EXPIRED: nothing happens to it any more. */
    public boolean isFinal() {
        return switch (this) {
            case DEPLOYING_STAGING, AWAITING_APPROVAL, DEPLOYING_PRODUCTION -> false;
            case SUCCEEDED, FAILED, REJECTED, EXPIRED -> true;
        };
    }
}
