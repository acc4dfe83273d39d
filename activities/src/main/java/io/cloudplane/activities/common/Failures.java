package io.cloudplane.activities.common;

import io.temporal.failure.ApplicationFailure;

/** Failures that retrying cannot fix; the workflows list these types as non-retryable. */
public final class Failures {
    private Failures() {
    }

    public static ApplicationFailure notFound(String message) {
        return ApplicationFailure.newNonRetryableFailure(message, "NotFound");
    }

    public static ApplicationFailure invalid(String message) {
        return ApplicationFailure.newNonRetryableFailure(message, "InvalidInput");
    }
}
