package io.cloudplane.activities.operation;

import io.cloudplane.infra.monitoring.OperationMeters;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.workflows.operation.OperationProgress;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.workflows.operation.OperationStep;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import io.micronaut.serde.annotation.SerdeImport;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Writes an operation's progress (status, steps, error) to its row, and its activity-log entry once
 * it ended: for the operation activity, and for activities that run a whole operation themselves. The
 * write that makes the row final also counts the operation's end and duration ({@link OperationMeters}).
 */
@Singleton
@SerdeImport(OperationStep.class)
public class OperationProgressRecorder {
    private final OperationRepository operations;
    private final JsonMapper json;
    private final ActivityLog activityLog;
    private final OperationMeters meters;

    public OperationProgressRecorder(OperationRepository operations, JsonMapper json, ActivityLog activityLog, OperationMeters meters) {
        this.operations = operations;
        this.meters = meters;
        this.json = json;
        this.activityLog = activityLog;
    }

    public void record(OperationProgress progress) {
        try {
            String steps = new String(json.writeValueAsBytes(Argument.listOf(OperationStep.class), progress.steps()),
                    StandardCharsets.UTF_8);
            UUID opId = UUID.fromString(progress.operationId());
            Instant now = Instant.now();
            int moved = operations.recordProgress(opId, progress.status(), progress.runId(), steps, progress.error(), now);
            if (progress.status().isFinal()) {
                operations.findById(opId).ifPresent(op -> {
                    activityLog.record(op, progress);
                    if (moved > 0) { // this write ended it: counted once, however often the activity is retried
                        meters.finished(op.type(), progress.status(), Duration.between(op.createdAt(), now));
                    }
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ends an operation FAILED without its workflow's steps (a refusal); counted once, by the write that ends it. */
    public void fail(UUID opId, String reason) {
        Instant now = Instant.now();
        if (operations.finish(opId, OperationStatus.FAILED, reason, now) > 0) {
            operations.findById(opId).ifPresent(op -> meters.finished(op.type(), OperationStatus.FAILED, Duration.between(op.createdAt(), now)));
        }
    }
}
