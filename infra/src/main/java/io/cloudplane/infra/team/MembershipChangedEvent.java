package io.cloudplane.infra.team;

import io.micronaut.core.annotation.Nullable;

import java.util.UUID;

/**
 * A person's membership of an app changed: published (Micronaut's {@code ApplicationEventPublisher})
 * after the change is committed, by whoever made it, so that what depends on memberships can follow
 * at once: open sessions of the access gateway and SFTP end on a removal, the identity provider's
 * declaration of profiles is brought in line. {@code envId} is the environment of an end user's
 * membership, null for the app's developers and owner.
 */
public record MembershipChangedEvent(UUID appId, @Nullable UUID envId, UUID userId, Change change) {

    public enum Change { ADDED, PROFILE_CHANGED, REMOVED, OWNER_CHANGED }
}
