package io.cloudplane.api.release;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cloudplane.api.operation.OperationView;
import io.cloudplane.infra.release.ReleaseRecord;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A release: where it came from, who cut it and when, its artifact's digest and size, whether it is
 * locked (deployed once, so it cannot be deleted), and the environments that run it now.
 * {@code operation}: its CREATE_RELEASE operation, only in the 202 answer of the create.
 */
@Serdeable
public record ReleaseView(UUID id, String name, @Nullable String description, ReleaseRecord.Status status,
                          UUID sourceEnvironmentId, String sourceEnvironmentName, @Nullable UUID createdBy, Instant createdAt,
                          @Nullable String sha256, @Nullable Long sizeBytes, String artifactKey, @Nullable String error,
                          boolean locked, @Nullable Instant firstDeployedAt, List<EnvironmentRef> runningIn,
                          @Schema(requiredMode = Schema.RequiredMode.NOT_REQUIRED) @JsonInclude(JsonInclude.Include.NON_NULL)
                          OperationView operation) {

    @Serdeable
    public record EnvironmentRef(UUID id, String name) {
    }

    @Serdeable
    public record Page(List<ReleaseView> items, @io.micronaut.core.annotation.Nullable String nextCursor) {
    }

    static ReleaseView of(ReleaseRecord r, List<EnvironmentRef> runningIn) {
        return new ReleaseView(r.id(), r.name(), r.description(), r.status(), r.sourceEnvId(), r.sourceEnvName(), r.createdBy(),
                r.createdAt(), r.sha256(), r.sizeBytes(), r.objectKey(), r.error(), r.firstDeployedAt() != null,
                r.firstDeployedAt(), runningIn, null);
    }

    ReleaseView withOperation(OperationView op) {
        return new ReleaseView(id, name, description, status, sourceEnvironmentId, sourceEnvironmentName, createdBy, createdAt,
                sha256, sizeBytes, artifactKey, error, locked, firstDeployedAt, runningIn, op);
    }
}
