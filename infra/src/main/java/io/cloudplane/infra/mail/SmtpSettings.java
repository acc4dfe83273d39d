package io.cloudplane.infra.mail;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

/** {@code cloudplane.mail.smtp.*}, read when the transport is {@code smtp}. */
@ConfigurationProperties("cloudplane.mail.smtp")
public record SmtpSettings(
        @Nullable String host,
        @Bindable(defaultValue = "587") int port,
        @Bindable(defaultValue = "") String username,
        @Bindable(defaultValue = "") String password,
        @Bindable(defaultValue = "true") boolean starttls) {

    public SmtpSettings {
        Settings.require(port >= 1 && port <= 65535, "cloudplane.mail.smtp.port", "must be a port from 1 to 65535", port);
    }

    @Override
    public String toString() {
        return "SmtpSettings[host=" + host + ", port=" + port + ", username=" + username + ", starttls=" + starttls + "]";
    }
}

