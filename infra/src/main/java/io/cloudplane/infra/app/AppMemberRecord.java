package io.cloudplane.infra.app;

import io.micronaut.data.annotation.Embeddable;
import io.micronaut.data.annotation.EmbeddedId;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.MappedProperty;

import io.micronaut.core.annotation.Nullable;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * A member of an app: its owner or a developer, with the profile (an application role of its
 * roles.json) they have when they use the app itself, null until one is given, and since when.
 */
@MappedEntity("app_members")
public record AppMemberRecord(@EmbeddedId Key key, Role role, @Nullable String profile, Instant since) {

    /** A member from now, without a profile. */
    public static AppMemberRecord of(UUID appId, UUID userId, Role role) {
        return new AppMemberRecord(new Key(appId, userId), role, null, Instant.now().truncatedTo(ChronoUnit.MICROS));
    }

    public enum Role { OWNER, DEVELOPER }

    @Embeddable
    public record Key(@MappedProperty("app_id") UUID appId, @MappedProperty("user_id") UUID userId) {
    }
}
