package io.cloudplane.activities.operation;

import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.workflows.operation.OperationProgress;
import io.cloudplane.workflows.operation.OperationStep;
import io.cloudplane.workflows.operation.OperationActivities;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import io.micronaut.serde.annotation.SerdeImport;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.UUID;

@Singleton
@SerdeImport(OperationStep.class)
public class OperationActivitiesImpl implements OperationActivities, ControlPlaneActivities {
    private final OperationRepository operations;
    private final JsonMapper json;
    private final ActivityLog activityLog;

    public OperationActivitiesImpl(OperationRepository operations, JsonMapper json, ActivityLog activityLog) {
        this.operations = operations;
        this.json = json;
        this.activityLog = activityLog;
    }

    @Override
    public void record(OperationProgress progress) {
        try {
            String steps = new String(json.writeValueAsBytes(Argument.listOf(OperationStep.class), progress.steps()),
                    java.nio.charset.StandardCharsets.UTF_8);
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
