package io.cloudplane.infra.code;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

/**
 * The code an environment runs: its canonical tar.gz in object storage, its digest, the release it
 * came from (none for uploaded code) and the name of the local tree its server reads.
 */
@MappedEntity("environment_code")
public record EnvironmentCodeRecord(@Id UUID envId, String objectKey, String sha256, long sizeBytes,
                                    @Nullable UUID releaseId, String tree, @Nullable UUID updatedBy, Instant updatedAt) {

    /** Content-addressed, so that a new version never overwrites the one still in use. */
    public static String keyFor(UUID appId, UUID envId, String sha256) {
        return prefixFor(appId, envId) + sha256 + ".tar.gz";
    }

    public static String prefixFor(UUID appId, UUID envId) {
        return "code/" + appId + "/" + envId + "/";
    }
}
