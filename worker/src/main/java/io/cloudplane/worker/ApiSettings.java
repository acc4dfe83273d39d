package io.cloudplane.worker;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * {@code cloudplane.api.*}: whether this process serves the REST API ({@code enabled}; {@code false}
 * makes a worker-only process, see {@link WorkerOnlyFilter}).
 */
@ConfigurationProperties("cloudplane.api")
public record ApiSettings(@Bindable(defaultValue = "true") boolean enabled) {
}
