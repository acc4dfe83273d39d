package io.cloudplane.infra.monitoring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

/**
 * {@code cloudplane_backups_finished_total{outcome}}: backups that ended COMPLETED or FAILED (counted once, when the
 * row became final). Backups are not Operations, so they have their own counter beside the operations'.
 */
@Singleton
public class BackupMeters {
    public static final String FINISHED = "cloudplane.backups.finished";
    private final Counter completed;
    private final Counter failed;

    public BackupMeters(MeterRegistry registry) {
        this.completed = counter(registry, "COMPLETED");
        this.failed = counter(registry, "FAILED");
    }

    private static Counter counter(MeterRegistry registry, String outcome) {
        return Counter.builder(FINISHED).description("Backups ended, by outcome (COMPLETED, FAILED)").tag("outcome", outcome)
                .register(registry);
    }

    public void completed() {
        completed.increment();
    }

    public void failed() {
        failed.increment();
    }
}
