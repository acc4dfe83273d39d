package io.cloudplane.infra.app;

import io.micronaut.data.annotation.Embeddable;
import io.micronaut.data.annotation.EmbeddedId;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.MappedProperty;

import java.util.UUID;

@MappedEntity("app_members")
public record AppMemberRecord(@EmbeddedId Key key, Role role) {

    public enum Role { OWNER, DEVELOPER }

    @Embeddable
    public record Key(@MappedProperty("app_id") UUID appId, @MappedProperty("user_id") UUID userId) {
    }
}
