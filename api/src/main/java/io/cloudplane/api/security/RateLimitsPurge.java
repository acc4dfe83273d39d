package io.cloudplane.api.security;

import io.cloudplane.infra.config.CdsTraining;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;

/** Every minute, forgets the rate-limit buckets that are full again, so that memory follows activity. */
@Singleton
@Requires(notEnv = CdsTraining.ENVIRONMENT) // a training start does nothing but start
public class RateLimitsPurge {
    private final RateLimits limits;

    public RateLimitsPurge(RateLimits limits) {
        this.limits = limits;
    }

    @Scheduled(initialDelay = "1m", fixedDelay = "1m")
    void forgetIdle() {
        limits.forgetIdle();
    }
}
