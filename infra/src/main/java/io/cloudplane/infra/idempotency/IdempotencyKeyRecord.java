package io.cloudplane.infra.idempotency;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

/**
 * An {@code Idempotency-Key} a caller sent, with the fingerprint of the request it came with. Until
 * that request has answered, {@code responseStatus} is null and {@code lockedAt} says since when it
 * runs; then the response is kept: its status, the headers a client acts on, and its body, sealed
 * ({@code SecretBox}) since a created token can be in it.
 */
@MappedEntity("idempotency_keys")
public record IdempotencyKeyRecord(@Id UUID id, String caller, String idempotencyKey, String requestSha256, Instant createdAt,
                                   @Nullable Instant lockedAt, @Nullable Integer responseStatus,
                                   @Nullable String responseContentType, @Nullable String responseLocation,
                                   @Nullable String responseBody) {

    public boolean answered() {
        return responseStatus != null;
    }
}
