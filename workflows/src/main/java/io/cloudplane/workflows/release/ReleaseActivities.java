package io.cloudplane.workflows.release;

import io.temporal.activity.ActivityInterface;

/** Releases in object storage and in Cloudplane's records. Idempotent. */
@ActivityInterface
public interface ReleaseActivities {
    /**
     * Copies the source environment's current code object to the release's key inside the store
     * (no bytes through the worker), checks its size, and marks the release READY with the digest.
     */
    void snapshot(String releaseId);

    /** Deletes whatever the release stored and marks it FAILED with the reason. */
    void markFailed(String releaseId, String reason);

    /** Deletes every release object of the app ({@code releases/<appId>/}); their rows go with the app's. */
    void deleteAppReleases(String appId);
}
