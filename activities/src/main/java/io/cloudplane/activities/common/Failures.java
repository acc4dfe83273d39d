package io.cloudplane.activities.common;

import io.cloudplane.workflows.common.FailureType;
import io.temporal.failure.ApplicationFailure;

/**
 * The activities' shorthand for the two failures they raise most: both are never retried. Other
 * types are built with {@link FailureType} itself.
 */
public final class Failures {
    private Failures() {
    }

    public static ApplicationFailure notFound(String message) {
        return FailureType.NOT_FOUND.nonRetryable(message);
    }

    public static ApplicationFailure invalid(String message) {
        return FailureType.INVALID_INPUT.nonRetryable(message);
    }
}
