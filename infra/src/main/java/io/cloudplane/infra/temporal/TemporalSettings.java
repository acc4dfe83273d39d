package io.cloudplane.infra.temporal;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * {@code temporal.*}: a cluster's {@code target} ({@code TEMPORAL_TARGET}, host:port; empty for the
 * embedded server) and the {@code namespace} ({@code TEMPORAL_NAMESPACE}).
 */
@ConfigurationProperties("temporal")
public record TemporalSettings(@Bindable(defaultValue = "") String target, @Bindable(defaultValue = "default") String namespace) {

    public TemporalSettings {
        Settings.require(target.isBlank() || target.matches("[^\\s:/]+:\\d{1,5}"), "temporal.target", "must be host:port", target);
        Settings.require(!namespace.isBlank(), "temporal.namespace", "must not be empty", namespace);
    }
}
