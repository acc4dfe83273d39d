package io.cloudplane.workflows.operation;

import io.temporal.api.enums.v1.RetryState;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TimeoutFailure;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Found by the load benchmark: a provisioning that failed on a Temporal timeout was FAILED with an empty reason. */
class OperationTrackerTest {

    @Test
    void anActivityTimeoutIsNamedWithItsStepAndKind() {
        var failure = new ActivityFailure("Activity task timed out", 5, 6, "CreateDatabase", "1", RetryState.RETRY_STATE_TIMEOUT,
                "worker", new TimeoutFailure("", null, TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE));
        assertEquals("step CreateDatabase timed out (start-to-close timeout)", OperationTracker.reason(failure));
    }

    @Test
    void aScheduleToCloseTimeoutAfterRetriesAlsoGivesTheLastAttemptsFailure() {
        var failure = new ActivityFailure("Activity task timed out", 5, 6, "AwaitHealthy", "1", RetryState.RETRY_STATE_TIMEOUT,
                "worker", timeoutCausedBy(TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE,
                ApplicationFailure.newFailure("connection refused", "IOException")));
        assertEquals("step AwaitHealthy timed out (schedule-to-close timeout); the last attempt: connection refused",
                OperationTracker.reason(failure));
    }

    /** As the SDK builds it from the server's failure (the constructor with a cause is the SDK's own). */
    private static TimeoutFailure timeoutCausedBy(TimeoutType type, Throwable cause) {
        try {
            var constructor = TimeoutFailure.class.getDeclaredConstructor(String.class, io.temporal.common.converter.Values.class,
                    TimeoutType.class, Throwable.class);
            constructor.setAccessible(true);
            return constructor.newInstance("", null, type, cause);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anApplicationFailureKeepsItsOwnMessage() {
        var failure = new ActivityFailure("Activity task failed", 5, 6, "StartServer", "1", RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE,
                "worker", ApplicationFailure.newNonRetryableFailure("the server is not running", "ServerDown"));
        assertEquals("the server is not running", OperationTracker.reason(failure));
    }
}
