package io.cloudplane.infra.embedded;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * {@code cloudplane.embedded.temporal.retention}: how long the embedded Temporal keeps a closed
 * workflow run (its history and state, in memory) before it forgets it, as a Temporal namespace's
 * retention period does. Cloudplane's own tables keep what it reports; the run is only needed for a
 * look at its history with Temporal's tools.
 */
@ConfigurationProperties("cloudplane.embedded.temporal")
public record EmbeddedTemporalRetentionSettings(@Bindable(defaultValue = "3d") Duration retention) {
    /** The default above, for servers built without settings. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(3);

    public EmbeddedTemporalRetentionSettings {
        Settings.require(retention != null && Settings.positive(retention), "cloudplane.embedded.temporal.retention",
                "must be a positive duration such as 3d or 12h", retention);
    }
}
