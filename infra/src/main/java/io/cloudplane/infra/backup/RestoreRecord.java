package io.cloudplane.infra.backup;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

/** The backup a RESTORE_ENVIRONMENT operation puts back, and the safety backup it takes first. */
@MappedEntity("restores")
public record RestoreRecord(@Id UUID operationId, UUID backupId, UUID safetyBackupId, Instant createdAt) {
}
