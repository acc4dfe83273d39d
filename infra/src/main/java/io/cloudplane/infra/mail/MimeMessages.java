package io.cloudplane.infra.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

import java.util.Date;

/** Builds the multipart/alternative message (text first, then HTML) that every adapter sends. */
final class MimeMessages {
    private MimeMessages() {
    }

    static MimeMessage build(Session session, String from, MailMessage message) throws MessagingException {
        MimeMessage mime = new MimeMessage(session);
        mime.setFrom(new InternetAddress(from));
        mime.setRecipients(MimeMessage.RecipientType.TO, InternetAddress.parse(message.to(), true));
        mime.setSubject(message.subject(), "UTF-8");
        mime.setSentDate(new Date());
        MimeBodyPart text = new MimeBodyPart();
        text.setText(message.text(), "UTF-8", "plain");
        MimeBodyPart html = new MimeBodyPart();
        html.setText(message.html(), "UTF-8", "html");
        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(text);
        alternative.addBodyPart(html);
        mime.setContent(alternative);
        mime.saveChanges();
        return mime;
    }
}
