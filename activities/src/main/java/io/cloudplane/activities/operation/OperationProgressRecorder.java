package io.cloudplane.activities.operation;

import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.workflows.operation.OperationProgress;
import io.cloudplane.workflows.operation.OperationStep;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import io.micronaut.serde.annotation.SerdeImport;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * Writes an operation's progress (status, steps, error) to its row, and its activity-log entry once
 * it ended: for the operation activity, and for activities that run a whole operation themselves.
 */
@Singleton
@SerdeImport(OperationStep.class)
public class OperationProgressRecorder {
    private final OperationRepository operations;
    private final JsonMapper json;
    private final ActivityLog activityLog;

    public OperationProgressRecorder(OperationRepository operations, JsonMapper json, ActivityLog activityLog) {
        this.operations = operations;
        this.json = json;
        this.activityLog = activityLog;
    }

    public void record(OperationProgress progress) {
        try {
            String steps = new String(json.writeValueAsBytes(Argument.listOf(OperationStep.class), progress.steps()),
                    StandardCharsets.UTF_8);
            UUID opId = UUID.fromString(progress.operationId());
            operations.recordProgress(opId, progress.status(), progress.runId(), steps, progress.error(), Instant.now());
            if (progress.status().isFinal()) {
                operations.findById(opId).ifPresent(op -> activityLog.record(op, progress));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
