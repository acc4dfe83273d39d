package io.cloudplane.infra.temporal;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * {@code temporal.*}: a cluster's {@code target} ({@code TEMPORAL_TARGET}, host:port; empty for the
 * embedded server), the {@code namespace} ({@code TEMPORAL_NAMESPACE}) and the cluster's
 * {@code api-key} ({@code TEMPORAL_API_KEY}, sent as {@code authorization: Bearer <key>} over TLS;
 * empty for none). The embedded server's key is generated under the data directory instead.
 */
@ConfigurationProperties("temporal")
public record TemporalSettings(@Bindable(defaultValue = "") String target, @Bindable(defaultValue = "default") String namespace,
                               @Bindable(defaultValue = "") String apiKey) {

    public TemporalSettings {
        Settings.require(target.isBlank() || target.matches("[^\\s:/]+:\\d{1,5}"), "temporal.target", "must be host:port", target);
        Settings.require(!namespace.isBlank(), "temporal.namespace", "must not be empty", namespace);
    }

    @Override
    public String toString() {
        return "TemporalSettings[target=" + target + ", namespace=" + namespace + ", apiKey=" + (apiKey.isBlank() ? "none" : "[set]") + "]";
    }
}
