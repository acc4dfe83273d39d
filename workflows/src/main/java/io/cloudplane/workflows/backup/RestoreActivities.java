package io.cloudplane.workflows.backup;

import io.temporal.activity.ActivityInterface;

/**
 * The data half of a restore. The environment's current database and files are kept aside, not
 * deleted, until the restored server is healthy: {@link #revert} puts them back. Every method is
 * idempotent, keyed by the restore's ID.
 */
@ActivityInterface
public interface RestoreActivities {
    /**
     * Restores the backup's database into a fresh database beside the environment's, and checks it
     * against the backup's manifest (row counts and checksums). Returns what was restored.
     */
    String restoreDatabase(String restoreId, String envId, String backupId);

    /** Puts the fresh database in place of the environment's, which is kept aside. */
    void swapDatabase(String restoreId, String envId);

    /** Unpacks the backup's files beside the environment's, then swaps them in; the old ones are kept aside. */
    void restoreFiles(String restoreId, String envId, String backupId);

    /** Puts the environment's own database and files back, and drops what the restore brought. */
    void revert(String restoreId, String envId);

    /** The restore succeeded: drops what was kept aside. */
    void discardKeptAside(String restoreId, String envId);
}
