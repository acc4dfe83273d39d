package io.cloudplane.infra.mail;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * {@code cloudplane.mail.*}: how mail leaves ({@code transport}: {@code outbox}, {@code smtp} or
 * {@code ses}), its sender ({@code from}), and the SMTP server or SES endpoint of that transport.
 */
@ConfigurationProperties("cloudplane.mail")
public record MailSettings(
        @Bindable(defaultValue = "outbox") String transport,
        @Bindable(defaultValue = "cloudplane@localhost") String from) {

    public MailSettings {
        Settings.require(transport.equals("outbox") || transport.equals("smtp") || transport.equals("ses"),
                "cloudplane.mail.transport", "must be outbox, smtp or ses", transport);
        Settings.require(from.contains("@"), "cloudplane.mail.from", "must be an email address", from);
    }
}
