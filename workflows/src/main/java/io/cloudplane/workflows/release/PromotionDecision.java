package io.cloudplane.workflows.release;

/** An approval or a rejection, by a user, with an optional comment. */
public record PromotionDecision(boolean approve, String userId, String comment) {
}
