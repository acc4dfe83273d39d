package io.cloudplane.infra.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * {@code cloudplane.log.format} ({@code CLOUDPLANE_LOG_FORMAT}): {@code text} (the default) or {@code json},
 * one JSON object per line for a log pipeline, with the MDC's fields under {@code mdc}. Logback reads it
 * itself (the jar's {@code logback.xml}) from the environment variable or the system property
 * {@code -Dcloudplane.log.format}, before Micronaut starts; this record only refuses another value.
 */
@ConfigurationProperties("cloudplane.log")
public record LogSettings(@Bindable(defaultValue = "text") String format) {

    public LogSettings {
        Settings.require(format.equals("text") || format.equals("json"), "cloudplane.log.format", "must be text or json", format);
    }
}
