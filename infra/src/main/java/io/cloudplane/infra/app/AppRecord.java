package io.cloudplane.infra.app;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

@MappedEntity("apps")
public record AppRecord(@Id UUID id, UUID ownerId, String name, AppKind kind, AppStatus status,
                        Instant createdAt, Instant updatedAt) {

    public enum AppKind { SANDBOX, APPLICATION }

    public enum AppStatus { ACTIVE, DELETING }
}
