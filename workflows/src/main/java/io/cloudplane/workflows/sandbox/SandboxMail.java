package io.cloudplane.workflows.sandbox;

/**
 * A lifecycle email to the sandbox's owner: its kind, and the date of the next action it announces
 * (epoch ms). The owner is named because the last email goes out after the app is gone.
 */
public record SandboxMail(String appId, String ownerUserId, Kind kind, long nextActionAt) {
    public enum Kind { ASLEEP, AWAKE, DELETION_NOTICE, DELETED }
}
