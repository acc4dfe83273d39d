package io.cloudplane.api.environment;

import io.cloudplane.infra.environment.EnvironmentRecord.EnvironmentType;
import io.micronaut.serde.annotation.Serdeable;

/**
 * The services matrix of shared/product.md. Backups are {@link EnvironmentType#hasBackups}'s: a
 * custom environment gets what staging gets but backups and the Studio, which its owner can add
 * later. Studio access is development's and staging's, as seed 001 has it ("Development and
 * Staging environments only") and as the gateway serves a Studio host for both
 * ({@link io.cloudplane.infra.environment.EnvironmentRecord#hasStudio}); the matrix of
 * product.md lists development only.
 */
@Serdeable
public record EnvironmentServices(boolean studioAccess, boolean inviteDevelopers, boolean inviteUsers,
                                  boolean backups, boolean serverUpdates) {

    public static EnvironmentServices of(EnvironmentType type) {
        return switch (type) {
            case DEVELOPMENT -> new EnvironmentServices(true, true, false, type.hasBackups(), true);
            case STAGING -> new EnvironmentServices(true, false, true, type.hasBackups(), true);
            case PRODUCTION, CUSTOM -> new EnvironmentServices(false, false, true, type.hasBackups(), true);
        };
    }
}
