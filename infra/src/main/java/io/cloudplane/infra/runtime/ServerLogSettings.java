package io.cloudplane.infra.runtime;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * {@code cloudplane.runtime.log-*}: a local server's log is rotated past {@code log-max-mib}
 * (checked at each start and every {@code log-rotate-interval}, the schedule of
 * {@link LocalProcessRuntime#rotateLogs()}).
 */
@ConfigurationProperties("cloudplane.runtime")
public record ServerLogSettings(@Bindable(defaultValue = "10") long logMaxMib, @Bindable(defaultValue = "30s") Duration logRotateInterval) {

    public ServerLogSettings {
        Settings.require(logMaxMib >= 1, "cloudplane.runtime.log-max-mib", "must be at least 1", logMaxMib);
        Settings.require(Settings.positive(logRotateInterval), "cloudplane.runtime.log-rotate-interval",
                "must be a positive duration such as 30s", logRotateInterval);
    }
}
