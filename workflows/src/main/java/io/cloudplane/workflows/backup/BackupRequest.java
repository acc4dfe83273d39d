package io.cloudplane.workflows.backup;

/** What {@code backup/<backupId>} backs up, and the retention to apply once it is good (none when null). */
public record BackupRequest(String backupId, String appId, String envId, Retention retention) {
}
