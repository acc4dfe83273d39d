package io.cloudplane.infra.app;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

/** What a CLONE_APPLICATION operation copies: the code object taken when the clone was asked for. */
@MappedEntity("clones")
public record CloneRecord(@Id UUID operationId, UUID sourceAppId, @Nullable UUID sourceEnvId, @Nullable UUID sourceReleaseId,
                          String objectKey, String sha256, long sizeBytes, Instant createdAt) {
}
