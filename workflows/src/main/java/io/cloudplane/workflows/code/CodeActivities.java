package io.cloudplane.workflows.code;

import io.temporal.activity.ActivityInterface;

/** The code half of a clone, keyed by its operation's ID. Idempotent. */
@ActivityInterface
public interface CodeActivities {
    /** Copies the source code object to the new environment's key inside the store (S3 CopyObject). */
    void copyCode(String operationId);

    /** Unpacks the copied object into the new environment's code tree, checks its digest, and records it. */
    void installCode(String operationId);

    /** Removes an environment's code objects and record (clean-up, and environment deletion). */
    void deleteCode(String appId, String envId);
}
