package io.cloudplane.api.backup;

import io.cloudplane.api.operation.StoredRequest;
import io.cloudplane.infra.backup.RestoreRecord;
import io.cloudplane.infra.backup.RestoreRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.workflows.backup.RestoreRequest;
import io.cloudplane.workflows.operation.OperationType;
import jakarta.inject.Singleton;

import java.util.Optional;

/** A restore's request: the backup it puts back and its safety backup, from its restores row. */
@Singleton
class StoredRestoreRequest implements StoredRequest {
    private final RestoreRepository restores;

    StoredRestoreRequest(RestoreRepository restores) {
        this.restores = restores;
    }

    @Override
    public OperationType type() {
        return OperationType.RESTORE_ENVIRONMENT;
    }

    @Override
    public Optional<RestoreRequest> read(OperationRecord op) {
        RestoreRecord restore = restores.findById(op.id()).orElseThrow();
        return Optional.of(new RestoreRequest(op.id().toString(), op.appId().toString(), op.envId().toString(),
                restore.backupId().toString(), restore.safetyBackupId().toString()));
    }
}
