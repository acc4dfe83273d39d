package io.cloudplane.api.gateway;

import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Wakes a sleeping sandbox for a Studio request of its owner, and tells when it runs. Requests that
 * arrive while a wake is under way share it (one wake operation). The stage completes {@code true}
 * once the environment is RUNNING, or {@code false} when it is not after
 * {@code cloudplane.gateway.wake-wait} (or cannot be woken: being deleted, stopped by its owner).
 * Must not block the caller.
 */
public interface SandboxWaking {
    CompletionStage<Boolean> wake(UUID appId, UUID envId, UUID ownerId);
}
