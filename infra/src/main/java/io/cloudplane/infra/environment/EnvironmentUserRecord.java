package io.cloudplane.infra.environment;

import io.micronaut.data.annotation.Embeddable;
import io.micronaut.data.annotation.EmbeddedId;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.MappedProperty;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** An end user of one environment, with their profile there (an application role of its roles.json), since when. */
@MappedEntity("environment_users")
public record EnvironmentUserRecord(@EmbeddedId Key key, String profile, Instant since) {

    /** An end user from now, with the default profile. */
    public static EnvironmentUserRecord of(UUID envId, UUID userId) {
        return new EnvironmentUserRecord(new Key(envId, userId), "user", Instant.now().truncatedTo(ChronoUnit.MICROS));
    }

    @Embeddable
    public record Key(@MappedProperty("env_id") UUID envId, @MappedProperty("user_id") UUID userId) {
    }
}
