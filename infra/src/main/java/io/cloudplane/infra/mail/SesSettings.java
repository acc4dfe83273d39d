package io.cloudplane.infra.mail;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/** {@code cloudplane.mail.ses.*}, read when the transport is {@code ses}. */
@ConfigurationProperties("cloudplane.mail.ses")
public record SesSettings(@Bindable(defaultValue = "us-east-1") String region, @Bindable(defaultValue = "") String endpoint) {
}
