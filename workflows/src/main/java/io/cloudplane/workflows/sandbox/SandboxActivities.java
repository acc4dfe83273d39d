package io.cloudplane.workflows.sandbox;

import io.cloudplane.workflows.operation.OperationType;
import io.temporal.activity.ActivityInterface;

/** What the sandbox lifecycle needs beyond the server and deletion workflows it runs as children. */
@ActivityInterface
public interface SandboxActivities {
    /**
     * Writes the Operation row for an action the lifecycle takes (SLEEP_SANDBOX, WAKE_SANDBOX,
     * DELETE_APPLICATION), once per {@code key}; waits (fails, to be retried) while another
     * operation holds the environment. Returns the operation's ID.
     */
    String beginOperation(String key, String appId, String envId, OperationType type, String actorUserId);

    /** Ends an operation the lifecycle will not carry out, with the reason. */
    void refuseOperation(String operationId, String reason);

    /**
     * The whole sleep, idempotent: the SLEEP_SANDBOX operation (once per key, and recorded as the
     * lifecycle's own), the server stopped, the status SLEEPING, the activity-log entry, and the
     * owner's email. A sandbox already SLEEPING is a no-op but for the email. Fails, to be
     * retried, while another operation holds the environment.
     */
    void fallAsleep(SleepRequest request);

    /** Sends a lifecycle email to the sandbox's owner, once per (app, kind, next action). */
    void sendSandboxMail(SandboxMail mail);
}
