package io.cloudplane.infra.operation;

import io.cloudplane.workflows.operation.OperationStatus;
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

    public enum OperationType {
        PROVISION_ENVIRONMENT, DELETE_ENVIRONMENT, DELETE_APPLICATION, STOP_SERVER, START_SERVER, RESTART_SERVER,
        SLEEP_SANDBOX, WAKE_SANDBOX, RESTORE_ENVIRONMENT, CREATE_RELEASE, DEPLOY_RELEASE, CLONE_APPLICATION,
        UPDATE_SERVER
    }
}
