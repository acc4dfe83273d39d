package io.cloudplane.infra.gateway;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

/**
 * A browser's sign-in at one door of one environment. The cookie holds the token; this row only its
 * SHA-256. It says who the browser is, never what they may do: that is decided at every request.
 */
@MappedEntity("gateway_sessions")
public record GatewaySessionRecord(@Id String tokenSha256, UUID userId, UUID envId, GatewayDoor door,
                                   Instant createdAt, Instant expiresAt) {
}
