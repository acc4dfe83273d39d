package io.cloudplane.workflows.backup;

/** A schedule run's state: the schedule, and the last slot already handled (epoch ms), if any. */
public record BackupScheduleInput(String appId, String envId, BackupSchedule schedule, Long lastSlot) {
}
