package io.cloudplane.infra.embedded;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/** {@code cloudplane.embedded.temporal.port}: the embedded Temporal's loopback port (0 picks a free one). */
@ConfigurationProperties("cloudplane.embedded.temporal")
public record EmbeddedTemporalSettings(@Bindable(defaultValue = "7233") int port) {

    public EmbeddedTemporalSettings {
        Settings.require(port >= 0 && port <= 65535, "cloudplane.embedded.temporal.port", "must be a port from 0 to 65535", port);
    }
}
