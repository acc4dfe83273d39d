package io.cloudplane.api.idempotency;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * {@code cloudplane.idempotency.*}: how long an {@code Idempotency-Key} and its response are kept
 * ({@code retention}, 24h as Stripe does), and after how long a key whose request never answered
 * (its process died) may be taken by a retry ({@code in-flight-timeout}, 1m; before that a retry
 * answers 409).
 */
@ConfigurationProperties("cloudplane.idempotency")
public record IdempotencySettings(
        @Bindable(defaultValue = "24h") Duration retention,
        @Bindable(defaultValue = "1m") Duration inFlightTimeout) {

    public IdempotencySettings {
        Settings.require(Settings.positive(retention), "cloudplane.idempotency.retention", "must be a positive duration such as 24h", retention);
        Settings.require(Settings.positive(inFlightTimeout) && inFlightTimeout.compareTo(retention) < 0,
                "cloudplane.idempotency.in-flight-timeout", "must be a positive duration shorter than the retention, such as 1m",
                inFlightTimeout);
    }
}
