package io.cloudplane.workflows.sandbox;

import io.temporal.activity.ActivityInterface;

/** What the sandbox lifecycle needs beyond the server and deletion workflows it runs as children. */
@ActivityInterface
public interface SandboxActivities {
    /**
     * Writes the Operation row for an action the lifecycle takes (SLEEP_SANDBOX, WAKE_SANDBOX,
     * DELETE_APPLICATION), once per {@code key}; waits (fails, to be retried) while another
     * operation holds the environment. Returns the operation's ID.
     */
    String beginOperation(String key, String appId, String envId, String type, String actorUserId);

    /** Ends an operation the lifecycle will not carry out, with the reason. */
    void refuseOperation(String operationId, String reason);

    /** Sends a lifecycle email to the sandbox's owner, once per (app, kind, next action). */
    void sendSandboxMail(SandboxMail mail);
}
