package io.cloudplane.infra.team;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

/**
 * An invitation to one environment (V18 {@code invitations}). Only the token's SHA-256 is kept
 * ({@link InvitationTokens}); a resend replaces it and the expiry, and counts in {@code resent}.
 */
@MappedEntity("invitations")
public record InvitationRecord(@Id UUID id, UUID appId, UUID envId, String email, String firstName, String lastName,
                               String profile, Kind kind, Status status, String tokenSha256, UUID invitedBy, int resent,
                               Instant createdAt, Instant expiresAt, @Nullable UUID acceptedBy, @Nullable Instant closedAt) {

    /** DEVELOPER: a developer of the app ("invite developers"); USER: an end user of this environment ("invite users"). */
    public enum Kind { DEVELOPER, USER }

    public enum Status { PENDING, ACCEPTED, EXPIRED, REVOKED }

    /** Pending, and not past its expiry (the workflow marks it EXPIRED at that moment, or soon after). */
    public boolean usableAt(Instant now) {
        return status == Status.PENDING && now.isBefore(expiresAt);
    }
}
