package io.cloudplane.infra.embedded;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/** {@code cloudplane.embedded.s3.port}: the embedded s3proxy's loopback port (0 picks a free one). */
@ConfigurationProperties("cloudplane.embedded.s3")
public record EmbeddedS3Settings(@Bindable(defaultValue = "0") int port) {

    public EmbeddedS3Settings {
        Settings.require(port >= 0 && port <= 65535, "cloudplane.embedded.s3.port", "must be a port from 0 to 65535", port);
    }
}
