package io.cloudplane.infra.backup;

import io.cloudplane.infra.persistence.Listed;
import io.cloudplane.workflows.backup.BackupStep;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

/** One backup of an environment; {@code manifest} is the JSON stored beside the parts. */
@MappedEntity("backups")
public record BackupRecord(@Id UUID id, UUID appId, UUID envId, Trigger trigger, Status status, @Nullable BackupStep failedStep,
                           @Nullable String error, String objectPrefix, @Nullable Long sizeBytes, @Nullable String manifest,
                           @Nullable Verification verification, @Nullable String verificationDetail,
                           @Nullable UUID requestedBy, @Nullable Instant scheduledFor, Instant createdAt,
                           @Nullable Instant startedAt, @Nullable Instant finishedAt, Instant updatedAt) implements Listed {

    public enum Trigger { SCHEDULED, MANUAL, SAFETY }

    public enum Status {
        PENDING, DUMPING, UPLOADING, VERIFYING, COMPLETED, FAILED;

        public boolean isFinal() {
            return this == COMPLETED || this == FAILED;
        }
    }

    public enum Verification { PASSED, FAILED }

    /**
     * A backup not begun yet, as the API, a schedule or a deployment first writes it: its objects
     * will be under {@link BackupArchive#prefixFor}. {@code requestedBy} is null for the system,
     * {@code scheduledFor} null unless a schedule's slot made it.
     */
    public static BackupRecord pending(UUID id, UUID appId, UUID envId, Trigger trigger, @Nullable UUID requestedBy,
                                       @Nullable Instant scheduledFor, Instant now) {
        return new BackupRecord(id, appId, envId, trigger, Status.PENDING, null, null, BackupArchive.prefixFor(appId, envId, id),
                null, null, null, null, requestedBy, scheduledFor, now, null, null, now);
    }
}
