package io.cloudplane.workflows.sandbox;

/**
 * Puts a sandbox to sleep: {@code operationKey} names the SLEEP_SANDBOX operation (the same key on
 * every retry), and {@code deletesAt} (epoch ms) is the deletion date the owner's email announces.
 */
public record SleepRequest(String operationKey, String appId, String envId, String ownerUserId, long deletesAt) {
}
