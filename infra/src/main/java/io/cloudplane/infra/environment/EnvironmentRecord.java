package io.cloudplane.infra.environment;

import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.core.annotation.Creator;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

/**
 * {@code dbPassword} is sealed by {@link io.cloudplane.infra.crypto.SecretBox}, never clear text.
 * {@code hostLabel} (the DNS label of its host names, unique) and {@code access} are set by the
 * database at insertion when null (migration V21); a record read back always has both.
 */
@MappedEntity("environments")
public record EnvironmentRecord(@Id UUID id, UUID appId, String name, EnvironmentType type,
                                @Nullable String description, EnvironmentStatus status, @Nullable String statusReason,
                                String serverVersion, @Nullable Integer port, @Nullable String previewUrl,
                                String dbName, @Nullable String dbPassword, Instant createdAt, Instant updatedAt,
                                @Nullable String hostLabel, @Nullable EnvironmentAccess access) {

    @Creator
    public EnvironmentRecord {
    }

    /** A new environment: the database gives it its host label and its default access. */
    public EnvironmentRecord(UUID id, UUID appId, String name, EnvironmentType type, @Nullable String description,
                             EnvironmentStatus status, @Nullable String statusReason, String serverVersion,
                             @Nullable Integer port, @Nullable String previewUrl, String dbName, @Nullable String dbPassword,
                             Instant createdAt, Instant updatedAt) {
        this(id, appId, name, type, description, status, statusReason, serverVersion, port, previewUrl, dbName, dbPassword,
                createdAt, updatedAt, null, null);
    }

    /** Who gets into the environment's app through the gateway: anyone, or its members after signing in. */
    public enum EnvironmentAccess {
        PUBLIC, MEMBERS
    }

    /** Whether the environment has a Studio (development and staging, as seed 002 has it). */
    public boolean hasStudio() {
        return type == EnvironmentType.DEVELOPMENT || type == EnvironmentType.STAGING;
    }

    public enum EnvironmentType {
        DEVELOPMENT, STAGING, PRODUCTION, CUSTOM;

        /**
         * Whether environments of this type are backed up (on a schedule, before a deployment, on
         * demand): staging and production, as seed 002 has it. A custom environment has none.
         */
        public boolean hasBackups() {
            return this == STAGING || this == PRODUCTION;
        }
    }

    /** The environment's database and login role share one deterministic name. */
    public static String databaseNameFor(UUID envId) {
        return "env_" + envId.toString().replace("-", "");
    }
}
