package io.cloudplane.infra.release;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * {@code cloudplane.deploy.health-timeout} (120s): how long a deployed or updated server has to
 * become healthy before the deployment or update rolls back.
 */
@ConfigurationProperties("cloudplane.deploy")
public record DeploySettings(@Bindable(defaultValue = "120s") Duration healthTimeout) {

    public DeploySettings {
        Settings.require(healthTimeout.toSeconds() >= 1, "cloudplane.deploy.health-timeout", "must be at least 1s", healthTimeout);
    }

    public int healthTimeoutSeconds() {
        return (int) healthTimeout.toSeconds();
    }
}
