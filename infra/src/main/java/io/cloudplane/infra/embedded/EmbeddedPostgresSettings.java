package io.cloudplane.infra.embedded;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/** {@code cloudplane.embedded.postgres.port}: the embedded PostgreSQL's loopback port (0 picks a free one; read by EmbeddedPostgresResolver before any bean exists). */
@ConfigurationProperties("cloudplane.embedded.postgres")
public record EmbeddedPostgresSettings(@Bindable(defaultValue = "0") int port) {

    public EmbeddedPostgresSettings {
        Settings.require(port >= 0 && port <= 65535, "cloudplane.embedded.postgres.port", "must be a port from 0 to 65535", port);
    }
}
