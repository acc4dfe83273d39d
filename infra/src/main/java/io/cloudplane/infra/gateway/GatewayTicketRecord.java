package io.cloudplane.infra.gateway;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

/**
 * A one-time link that signs its holder in at one door of one environment, then sends them to
 * {@code nextPath}: the Studio link of {@code POST …/studio-sessions}, and the way back from the
 * sign-in page. Only the token's SHA-256 is stored.
 */
@MappedEntity("gateway_tickets")
public record GatewayTicketRecord(@Id String tokenSha256, UUID userId, UUID envId, GatewayDoor door, String nextPath,
                                  Instant expiresAt) {
}
