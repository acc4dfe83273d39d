package io.cloudplane.infra.team;

import io.micronaut.data.annotation.EmbeddedId;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.Embeddable;
import io.micronaut.data.annotation.MappedProperty;

import java.time.Instant;
import java.util.UUID;

/**
 * A membership change whose identity declaration has not been handed to its workflow yet: written
 * in the change's own transaction (an outbox), deleted once the {@code membership-sync} workflow
 * was signalled, so that a process that dies between the commit and the signal leaves it for
 * {@code MembershipSyncRecovery}.
 */
@MappedEntity("membership_syncs")
public record MembershipSyncRecord(@EmbeddedId Key key, Instant requestedAt) {

    @Embeddable
    public record Key(@MappedProperty("app_id") UUID appId, @MappedProperty("user_id") UUID userId) {
    }
}
