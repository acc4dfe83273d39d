package io.cloudplane.api.release;

import io.cloudplane.infra.release.ReleaseRecord;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A release: where it came from, who cut it and when, its artifact's digest and size, whether it is
 * locked (deployed once, so it cannot be deleted), and the environments that run it now.
 */
@Serdeable
public record ReleaseView(UUID id, String name, @Nullable String description, ReleaseRecord.Status status,
                          UUID sourceEnvironmentId, String sourceEnvironmentName, @Nullable UUID createdBy, Instant createdAt,
                          @Nullable String sha256, @Nullable Long sizeBytes, String artifactKey, @Nullable String error,
                          boolean locked, @Nullable Instant firstDeployedAt, List<EnvironmentRef> runningIn,
                          @Nullable UUID operationId) {

    @Serdeable
    public record EnvironmentRef(UUID id, String name) {
    }

    @Serdeable
    public record Page(List<ReleaseView> items, @io.micronaut.core.annotation.Nullable String nextCursor) {
    }

    /** {@code operationId}: a release's CREATE_RELEASE operation has the release's ID. */
    static ReleaseView of(ReleaseRecord r, List<EnvironmentRef> runningIn) {
        return new ReleaseView(r.id(), r.name(), r.description(), r.status(), r.sourceEnvId(), r.sourceEnvName(), r.createdBy(),
                r.createdAt(), r.sha256(), r.sizeBytes(), r.objectKey(), r.error(), r.firstDeployedAt() != null,
                r.firstDeployedAt(), runningIn, r.id());
    }
}
