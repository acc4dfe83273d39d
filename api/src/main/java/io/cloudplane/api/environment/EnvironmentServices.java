package io.cloudplane.api.environment;

import io.cloudplane.infra.environment.EnvironmentRecord.EnvironmentType;
import io.micronaut.serde.annotation.Serdeable;

/**
 * The services matrix of shared/product.md. Backups follow seed 002: staging and production. A
 * custom environment gets what staging gets but backups, which its owner can add later.
 */
@Serdeable
public record EnvironmentServices(boolean studioAccess, boolean inviteDevelopers, boolean inviteUsers,
                                  boolean backups, boolean serverUpdates) {

    public static EnvironmentServices of(EnvironmentType type) {
        return switch (type) {
            case DEVELOPMENT -> new EnvironmentServices(true, true, false, false, true);
            case STAGING, PRODUCTION -> new EnvironmentServices(false, false, true, true, true);
            case CUSTOM -> new EnvironmentServices(false, false, true, false, true);
        };
    }
}
