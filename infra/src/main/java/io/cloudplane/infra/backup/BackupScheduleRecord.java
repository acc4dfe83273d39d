package io.cloudplane.infra.backup;

import io.cloudplane.workflows.backup.ScheduleFrequency;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

/** An environment's backup schedule as last set; the workflow {@code backup-schedule/<envId>} runs it. */
@MappedEntity("backup_schedules")
public record BackupScheduleRecord(@Id UUID envId, ScheduleFrequency frequency, @Nullable String dayOfWeek, String timeOfDay,
                                   int retentionCount, int retentionDays, boolean paused, Instant updatedAt) {
}
