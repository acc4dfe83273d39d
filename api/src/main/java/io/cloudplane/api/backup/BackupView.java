package io.cloudplane.api.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cloudplane.infra.backup.BackupRecord;
import io.cloudplane.workflows.backup.BackupStep;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** A backup as the API shows it: where it stands, and, once finished, its size, duration and verification. */
@Serdeable
public record BackupView(UUID id, UUID appId, UUID envId, String trigger, String status,
                         // Present only on a failed backup: an enum cannot be "nullable" in OpenAPI 3.0 without a type.
                         @Schema(requiredMode = Schema.RequiredMode.NOT_REQUIRED) @JsonInclude(JsonInclude.Include.NON_NULL)
                         BackupStep failedStep,
                         @Nullable String error, @Nullable Long sizeBytes, @Nullable Long durationMs,
                         @Nullable String verification, @Nullable String verificationDetail, @Nullable Instant scheduledFor,
                         Instant createdAt, @Nullable Instant startedAt, @Nullable Instant finishedAt, String objectPrefix) {

    public static BackupView of(BackupRecord b) {
        Long duration = b.startedAt() != null && b.finishedAt() != null
                ? Duration.between(b.startedAt(), b.finishedAt()).toMillis() : null;
        return new BackupView(b.id(), b.appId(), b.envId(), b.trigger().name(), b.status().name(),
                b.failedStep(), b.error(), b.sizeBytes(), duration,
                b.verification() == null ? null : b.verification().name(), b.verificationDetail(), b.scheduledFor(),
                b.createdAt(), b.startedAt(), b.finishedAt(), b.objectPrefix());
    }

    @Serdeable
    public record Page(java.util.List<BackupView> items, @io.micronaut.core.annotation.Nullable String nextCursor) {
    }
}
