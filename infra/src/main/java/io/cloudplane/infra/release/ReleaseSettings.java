package io.cloudplane.infra.release;

import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

import java.time.Duration;

/**
 * {@code cloudplane.deploy.health-timeout} (default 120 s): how long a deployed server has to
 * become healthy. {@code cloudplane.promotion.approval-timeout} (default 7 days): how long a
 * promotion waits for its owner's approval before it expires.
 */
@Singleton
public class ReleaseSettings {
    private final Duration healthTimeout;
    private final Duration approvalTimeout;

    public ReleaseSettings(@Value("${cloudplane.deploy.health-timeout:120s}") Duration healthTimeout,
                           @Value("${cloudplane.promotion.approval-timeout:7d}") Duration approvalTimeout) {
        this.healthTimeout = healthTimeout;
        this.approvalTimeout = approvalTimeout;
    }

    public int healthTimeoutSeconds() {
        return (int) Math.max(1, healthTimeout.toSeconds());
    }

    public long approvalTimeoutSeconds() {
        return Math.max(1, approvalTimeout.toSeconds());
    }
}
