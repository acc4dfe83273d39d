package io.cloudplane.infra.monitoring;

import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.workflows.operation.OperationType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.data.event.listeners.PostPersistEventListener;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.List;

/**
 * Operations as Prometheus sees them: {@code cloudplane_operations_started_total{type}} (an Operation row inserted,
 * by whichever code path, through Micronaut Data's post-persist event), {@code cloudplane_operations_finished_total{type,
 * outcome}} (SUCCEEDED, FAILED, CANCELLED: counted once, when the row's status became final) and
 * {@code cloudplane_operation_duration_seconds{type,outcome}} (from the row's creation to its end, with buckets from 10 s
 * to 1 h). Each process counts what it did: the API process the starts, the worker the ends; Prometheus sums them.
 */
@Singleton
public class OperationMeters implements PostPersistEventListener<OperationRecord> {
    public static final String STARTED = "cloudplane.operations.started";
    public static final String FINISHED = "cloudplane.operations.finished";
    public static final String DURATION = "cloudplane.operation.duration";
    private static final Duration[] BUCKETS = {Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1),
            Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofHours(1)};
    private final MeterRegistry registry;

    public OperationMeters(MeterRegistry registry) {
        this.registry = registry;
        for (OperationType type : OperationType.values()) { // every series exists from the start, at 0, so rate() sees the first one
            started(type, 0);
            for (OperationStatus outcome : List.of(OperationStatus.SUCCEEDED, OperationStatus.FAILED, OperationStatus.CANCELLED)) {
                finishedCounter(type, outcome); // and "none finished" reads 0, not an absent series, in alert rules
            }
        }
    }

    @Override
    public void postPersist(OperationRecord operation) {
        started(operation.type(), 1);
    }

    private void started(OperationType type, int n) {
        Counter.builder(STARTED).description("Operations started (their row written), by type").tag("type", type.name())
                .register(registry).increment(n);
    }

    private Counter finishedCounter(OperationType type, OperationStatus status) {
        return Counter.builder(FINISHED).description("Operations ended, by type and outcome (SUCCEEDED, FAILED, CANCELLED)")
                .tag("type", type.name()).tag("outcome", status.name()).register(registry);
    }

    /** The operation's row has just become final ({@code status}); {@code took}: since it was created. */
    public void finished(OperationType type, OperationStatus status, Duration took) {
        finishedCounter(type, status).increment();
        Timer.builder(DURATION).description("How long operations took, from their start to their end, by type and outcome")
                .tag("type", type.name()).tag("outcome", status.name()).serviceLevelObjectives(BUCKETS)
                .register(registry).record(took.isNegative() ? Duration.ZERO : took);
    }
}
