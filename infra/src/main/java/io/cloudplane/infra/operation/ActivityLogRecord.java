package io.cloudplane.infra.operation;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

/** One action on an environment. {@code actorUserId} is null when the system acted (timers). */
@MappedEntity("activity_log")
public record ActivityLogRecord(@Id @GeneratedValue @Nullable Long id, UUID appId, UUID envId, String action,
                                @Nullable UUID actorUserId, Outcome outcome, @Nullable String detail,
                                @Nullable UUID operationId, Instant createdAt) {

    public enum Outcome { SUCCEEDED, FAILED, NO_OP, CANCELLED }
}
