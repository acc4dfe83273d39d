package io.cloudplane.api.server;

import io.cloudplane.api.operation.StoredRequest;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.release.DeploySettings;
import io.cloudplane.infra.server.ServerUpdateRecord;
import io.cloudplane.infra.server.ServerUpdateRepository;
import io.cloudplane.workflows.operation.OperationType;
import io.cloudplane.workflows.server.UpdateServerRequest;
import jakarta.inject.Singleton;

import java.util.Optional;

/** A server update's request: the version it goes to, from its server_updates row. */
@Singleton
class StoredServerUpdateRequest implements StoredRequest {
    private final ServerUpdateRepository updates;
    private final DeploySettings settings;

    StoredServerUpdateRequest(ServerUpdateRepository updates, DeploySettings settings) {
        this.updates = updates;
        this.settings = settings;
    }

    @Override
    public OperationType type() {
        return OperationType.UPDATE_SERVER;
    }

    @Override
    public Optional<UpdateServerRequest> read(OperationRecord op) {
        ServerUpdateRecord update = updates.findById(op.id()).orElseThrow();
        return Optional.of(new UpdateServerRequest(op.id().toString(), op.appId().toString(), op.envId().toString(),
                update.toVersion(), settings.healthTimeoutSeconds()));
    }
}
