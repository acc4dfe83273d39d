package io.cloudplane.api.gateway;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.concurrent.CompletableFuture;

/**
 * For the API tests that start the whole context while the sandbox lifecycle's {@link StudioUse}
 * and {@link SandboxWaking} are not part of it: a Studio use recorded nowhere, and a wake that never
 * succeeds. Gone as soon as real ones exist.
 */
@Factory
class AbsentLifecycleBeans {

    @Singleton
    @Requires(missingBeans = StudioUse.class)
    StudioUse studioUse() {
        return (appId, envId, sandbox) -> {
        };
    }

    @Singleton
    @Requires(missingBeans = SandboxWaking.class)
    SandboxWaking sandboxWaking() {
        return (appId, envId, ownerId) -> CompletableFuture.completedFuture(false);
    }
}
