package io.cloudplane.activities;

import io.temporal.failure.ApplicationFailure;

/** Failures that retrying cannot fix; the workflows list these types as non-retryable. */
final class Failures {
    private Failures() {
    }

    static ApplicationFailure notFound(String message) {
        return ApplicationFailure.newNonRetryableFailure(message, "NotFound");
    }

    static ApplicationFailure invalid(String message) {
        return ApplicationFailure.newNonRetryableFailure(message, "InvalidInput");
    }
}
