package io.cloudplane.infra.release;

import io.cloudplane.infra.persistence.Listed;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

/** An immutable snapshot of an environment's code; locked once {@code firstDeployedAt} is set. */
@MappedEntity("releases")
public record ReleaseRecord(@Id UUID id, UUID appId, String name, @Nullable String description, UUID sourceEnvId,
                            String sourceEnvName, Status status, String objectKey, @Nullable String sha256,
                            @Nullable Long sizeBytes, @Nullable String error, @Nullable UUID createdBy, Instant createdAt,
                            @Nullable Instant firstDeployedAt) implements Listed {

    public enum Status { CREATING, READY, FAILED }

    public static String keyFor(UUID appId, UUID releaseId) {
        return "releases/" + appId + "/" + releaseId + ".tar.gz";
    }
}
