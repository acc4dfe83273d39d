package io.cloudplane.infra.environment;

import io.micronaut.data.annotation.Embeddable;
import io.micronaut.data.annotation.EmbeddedId;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.MappedProperty;

import java.util.UUID;

/** An end user of one environment. */
@MappedEntity("environment_users")
public record EnvironmentUserRecord(@EmbeddedId Key key) {

    @Embeddable
    public record Key(@MappedProperty("env_id") UUID envId, @MappedProperty("user_id") UUID userId) {
    }
}
