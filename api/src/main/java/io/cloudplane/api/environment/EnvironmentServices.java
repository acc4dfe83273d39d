package io.cloudplane.api.environment;

import io.cloudplane.infra.environment.EnvironmentRecord.EnvironmentType;
import io.micronaut.serde.annotation.Serdeable;

/**
 * The services matrix of shared/product.md. Backups are {@link EnvironmentType#hasBackups}'s: a
 * custom environment gets what staging gets but backups, which its owner can add later.
 */
@Serdeable
public record EnvironmentServices(boolean studioAccess, boolean inviteDevelopers, boolean inviteUsers,
                                  boolean backups, boolean serverUpdates) {

    public static EnvironmentServices of(EnvironmentType type) {
        return switch (type) {
            case DEVELOPMENT -> new EnvironmentServices(true, true, false, type.hasBackups(), true);
            case STAGING, PRODUCTION, CUSTOM -> new EnvironmentServices(false, false, true, type.hasBackups(), true);
        };
    }
}
