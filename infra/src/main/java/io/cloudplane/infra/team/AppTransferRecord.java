package io.cloudplane.infra.team;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

/** An ownership transfer the owner offered to a developer of the app, until they accept it or it is withdrawn. */
@MappedEntity("app_transfers")
public record AppTransferRecord(@Id UUID appId, UUID toUserId, UUID requestedBy, Instant requestedAt) {
}
