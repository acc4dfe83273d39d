package io.cloudplane.infra.account;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

/**
 * Only the SHA-256 of the token is kept; {@code hint} is its first characters, to tell tokens apart.
 * {@code scope} bounds what the token may do, {@code appId} (when set) the one app it may reach.
 */
@MappedEntity("api_tokens")
public record ApiTokenRecord(@Id UUID id, UUID userId, String name, String tokenHash, String hint, Instant createdAt,
                             Instant expiresAt, @Nullable Instant lastUsedAt, Scope scope, @Nullable UUID appId) {

    /** Read-only tokens may only GET (and HEAD); read-write ones may do what their user may. */
    public enum Scope { READ, READ_WRITE }
}
