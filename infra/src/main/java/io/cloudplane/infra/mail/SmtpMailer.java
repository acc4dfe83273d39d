package io.cloudplane.infra.mail;

import io.micronaut.context.annotation.Requires;
import io.cloudplane.infra.config.Settings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;

import java.util.Properties;

/**
 * SMTP through Jakarta Mail (Eclipse Angus): {@code CLOUDPLANE_MAIL_SMTP_HOST}, {@code _PORT},
 * {@code _USERNAME}, {@code _PASSWORD}, {@code _STARTTLS}.
 */
@Singleton
@Requires(property = "cloudplane.mail.transport", value = "smtp")
public class SmtpMailer implements Mailer {
    private final Session session;
    private final String from;
    private final String username;
    private final String password;

    @Inject
    public SmtpMailer(MailSettings mail, SmtpSettings smtp) {
        this(requireHost(smtp.host()), smtp.port(), smtp.username(), smtp.password(), smtp.starttls(), mail.from());
    }

    public SmtpMailer(String host, int port, String username, String password, boolean starttls, String from) {
        Properties props = new Properties();
        props.put("mail.smtp.host", host);
        props.put("mail.smtp.port", Integer.toString(port));
        props.put("mail.smtp.auth", Boolean.toString(!username.isBlank()));
        props.put("mail.smtp.starttls.enable", Boolean.toString(starttls));
        props.put("mail.smtp.connectiontimeout", "10000");
        props.put("mail.smtp.timeout", "30000");
        props.put("mail.smtp.writetimeout", "30000");
        this.session = Session.getInstance(props);
        this.from = from;
        this.username = username;
        this.password = password;
    }

    private static String requireHost(String host) {
        Settings.require(host != null && !host.isBlank(), "cloudplane.mail.smtp.host", "must be set when cloudplane.mail.transport is smtp", host);
        return host;
    }

    @Override
    public void send(MailMessage message) {
        try {
            var mime = MimeMessages.build(session, from, message);
            if (username.isBlank()) {
                Transport.send(mime);
            } else {
                Transport.send(mime, username, password);
            }
        } catch (MessagingException e) {
            throw new IllegalStateException("SMTP delivery failed: " + e.getMessage(), e);
        }
    }
}
