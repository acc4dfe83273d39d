package io.cloudplane.infra.mail;

/** Sends mail: an outbox folder (embedded default), SMTP, or Amazon SES, chosen by {@code cloudplane.mail.transport}. */
public interface Mailer {
    void send(MailMessage message);
}
