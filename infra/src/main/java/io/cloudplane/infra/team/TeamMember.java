package io.cloudplane.infra.team;

import io.micronaut.core.annotation.Nullable;

import java.time.Instant;
import java.util.UUID;

/**
 * A person with a membership seen from one environment: the app's owner or a developer
 * ({@code role} OWNER or DEVELOPER), or an end user of that environment
 * ({@code role} null), with their profile and since when.
 */
public record TeamMember(UUID userId, String firstName, String lastName, String email, @Nullable String profile,
                         @Nullable String role, Instant since) {

    public boolean developer() {
        return role != null;
    }
}
