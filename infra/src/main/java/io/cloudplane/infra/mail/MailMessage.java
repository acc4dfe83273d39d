package io.cloudplane.infra.mail;

/** A message with a plain-text and an HTML body. */
public record MailMessage(String to, String subject, String text, String html) {
}
