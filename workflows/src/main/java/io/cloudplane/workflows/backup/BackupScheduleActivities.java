package io.cloudplane.workflows.backup;

import io.temporal.activity.ActivityInterface;

@ActivityInterface
public interface BackupScheduleActivities {
    /**
     * The backup row for a slot (created once per slot, however often this is retried); null when
     * the environment is gone, which ends the schedule.
     */
    String createScheduledBackup(String appId, String envId, long slot);
}
