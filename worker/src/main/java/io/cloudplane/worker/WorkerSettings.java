package io.cloudplane.worker;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * {@code cloudplane.worker.*}: whether this process runs the Temporal worker ({@code enabled};
 * {@code false} makes an API-only process) and how many activities it runs at once
 * ({@code max-concurrent-activities}).
 */
@ConfigurationProperties("cloudplane.worker")
public record WorkerSettings(@Bindable(defaultValue = "true") boolean enabled,
                             @Bindable(defaultValue = "50") int maxConcurrentActivities) {

    public WorkerSettings {
        Settings.require(maxConcurrentActivities >= 1, "cloudplane.worker.max-concurrent-activities", "must be at least 1",
                maxConcurrentActivities);
    }
}
