package io.cloudplane.workflows.sandbox;

/**
 * The state a run starts from, and hands to the next run at continue-as-new. {@code asleepSince}
 * is null while the sandbox is awake.
 */
public record SandboxLifecycleInput(String appId, String envId, String ownerUserId, LifecycleSettings settings, long lastStudioAccessAt,
                                    Long asleepSince) {
}
