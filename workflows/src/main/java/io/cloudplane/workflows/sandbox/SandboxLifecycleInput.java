package io.cloudplane.workflows.sandbox;

/**
 * The state a run starts from, and hands to the next run at continue-as-new. {@code asleepSince}
 * is null while the sandbox is awake. {@code deletionBegun}: a run lost in a crash had begun the
 * sandbox's deletion; this run carries it on (no notice, no wait) and sends the last email.
 */
public record SandboxLifecycleInput(String appId, String envId, String ownerUserId, LifecycleSettings settings, long lastStudioAccessAt,
                                    Long asleepSince, boolean deletionBegun) {

    public SandboxLifecycleInput(String appId, String envId, String ownerUserId, LifecycleSettings settings, long lastStudioAccessAt,
                                 Long asleepSince) {
        this(appId, envId, ownerUserId, settings, lastStudioAccessAt, asleepSince, false);
    }
}
