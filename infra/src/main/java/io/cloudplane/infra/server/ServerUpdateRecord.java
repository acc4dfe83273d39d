package io.cloudplane.infra.server;

import io.cloudplane.infra.persistence.Listed;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

/** An environment's move to another server version; its ID is the ID of its UPDATE_SERVER operation. */
@MappedEntity("server_updates")
public record ServerUpdateRecord(@Id UUID id, UUID appId, UUID envId, String fromVersion, String toVersion, boolean downgrade,
                                 Status status, boolean rolledBack, @Nullable String error, @Nullable UUID requestedBy,
                                 Instant createdAt, @Nullable Instant startedAt, @Nullable Instant finishedAt) implements Listed {

    public enum Status { PENDING, RUNNING, SUCCEEDED, FAILED }

    public static ServerUpdateRecord pending(UUID id, UUID appId, UUID envId, String from, String to, boolean downgrade,
                                             UUID requestedBy, Instant now) {
        return new ServerUpdateRecord(id, appId, envId, from, to, downgrade, Status.PENDING, false, null, requestedBy, now, null, null);
    }
}
