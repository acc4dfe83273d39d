package io.cloudplane.infra.release;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * {@code cloudplane.promotion.approval-timeout} (7d): how long a promotion waits for its owner's
 * approval before it expires.
 */
@ConfigurationProperties("cloudplane.promotion")
public record PromotionSettings(@Bindable(defaultValue = "7d") Duration approvalTimeout) {

    public PromotionSettings {
        Settings.require(approvalTimeout.toSeconds() >= 1, "cloudplane.promotion.approval-timeout", "must be at least 1s", approvalTimeout);
    }

    public long approvalTimeoutSeconds() {
        return approvalTimeout.toSeconds();
    }
}
