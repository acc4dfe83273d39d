package io.cloudplane.workflows.backup;

/** The schedule in force and its next slot (epoch ms; null while paused). */
public record BackupScheduleView(BackupSchedule schedule, Long nextSlot) {
}
