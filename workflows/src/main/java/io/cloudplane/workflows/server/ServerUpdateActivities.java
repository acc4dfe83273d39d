package io.cloudplane.workflows.server;

import io.temporal.activity.ActivityInterface;

/** The steps of a server update, each idempotent; the environment and the versions come from the update's row. */
@ActivityInterface
public interface ServerUpdateActivities {
    /**
     * The update RUNNING and the environment UPDATING; returns null. Fails (InvalidInput) when the
     * environment no longer runs its from-version. An update that already ended is not begun again:
     * its outcome is returned.
     */
    EndedUpdate beginServerUpdate(String updateId);

    /** Brings up a server of the new version beside the current one where the runtime can. */
    UpdatedServer startUpdatedServer(String updateId);

    /** Heartbeats until the new server is healthy; fails at once when it exits, or when the time is up. */
    void awaitUpdatedServerHealthy(String updateId, int timeoutSeconds);

    /** The new server takes over (the preview URL follows it), the previous one stops, and the environment is RUNNING on the new version. */
    void switchToUpdatedServer(String updateId, UpdatedServer server);

    /** The new server goes and the previous version serves again (started again if it had gone). */
    void abandonServerUpdate(String updateId);

    /** Records the outcome; a failed update that was rolled back leaves the environment RUNNING on its previous version. */
    void finishServerUpdate(String updateId, boolean succeeded, String error, boolean rolledBack);
}
