package io.cloudplane.infra.monitoring;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * {@code cloudplane.monitoring.*}: Cloudplane's own metrics for Prometheus at {@code GET /metrics}. {@code token}: the
 * bearer token a scraper sends (at least 32 characters); empty (the default) turns {@code /metrics} off (404).
 * {@code gauge-cache}: how long the gauges that read the database (environments by status, sandboxes by lifecycle
 * phase, the age of each environment's last good backup) keep what their one grouped query read (10 s; 0 to 5 min).
 */
@ConfigurationProperties("cloudplane.monitoring")
public record MonitoringSettings(@Bindable(defaultValue = "") String token, @Bindable(defaultValue = "10s") Duration gaugeCache) {
    public static final int MIN_TOKEN = 32;

    public MonitoringSettings {
        token = token.trim();
        Settings.require(token.isEmpty() || token.length() >= MIN_TOKEN, "cloudplane.monitoring.token",
                "must be at least " + MIN_TOKEN + " characters (or empty: no /metrics)", token.length() + " characters");
        Settings.require(!gaugeCache.isNegative() && gaugeCache.compareTo(Duration.ofMinutes(5)) <= 0,
                "cloudplane.monitoring.gauge-cache", "must be between 0 and 5 minutes", gaugeCache);
    }

    public boolean enabled() {
        return !token.isEmpty();
    }

    @Override
    public String toString() {
        return "MonitoringSettings[token=" + (enabled() ? "[set]" : "none") + ", gaugeCache=" + gaugeCache + "]";
    }
}
