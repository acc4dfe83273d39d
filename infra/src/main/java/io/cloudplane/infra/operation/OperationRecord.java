package io.cloudplane.infra.operation;

import io.cloudplane.workflows.operation.OperationRef;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.workflows.operation.OperationType;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

/** An action longer than a request, backed by exactly one workflow. {@code steps} is a JSON array. */
@MappedEntity("operations")
public record OperationRecord(@Id UUID id, OperationType type, OperationStatus status, UUID appId, @Nullable UUID envId,
                              @Nullable UUID userId, String workflowId, @Nullable String runId, String steps,
                              @Nullable String error, Instant createdAt, Instant updatedAt) {

    /** A new operation, PENDING, under the business key of its kind's workflow. */
    public static OperationRecord pending(UUID id, OperationType type, UUID appId, @Nullable UUID envId, @Nullable UUID userId,
                                          Instant now) {
        String workflowId = type.workflowId(new OperationRef(id.toString(), appId.toString(), envId == null ? null : envId.toString()));
        return pending(id, type, appId, envId, userId, workflowId, now);
    }

    /** A new operation, PENDING, that a workflow other than its kind's carries out (the sandbox lifecycle's own sleep). */
    public static OperationRecord pending(UUID id, OperationType type, UUID appId, @Nullable UUID envId, @Nullable UUID userId,
                                          String workflowId, Instant now) {
        return new OperationRecord(id, type, OperationStatus.PENDING, appId, envId, userId, workflowId, null, "[]", null, now, now);
    }

    /** The IDs its workflow ID and request are made of. */
    public OperationRef ref() {
        return new OperationRef(id.toString(), appId.toString(), envId == null ? null : envId.toString());
    }
}
