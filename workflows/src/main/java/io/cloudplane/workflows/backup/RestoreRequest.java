package io.cloudplane.workflows.backup;

/**
 * {@code restore/<restoreId>} (the restore's operation ID): put backup {@code backupId} into
 * environment {@code envId}, after a safety backup {@code safetyBackupId} of it.
 */
public record RestoreRequest(String operationId, String appId, String envId, String backupId, String safetyBackupId) {
}
