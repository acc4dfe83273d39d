package io.cloudplane.activities.domain;

import io.cloudplane.infra.mail.MailMessage;
import io.cloudplane.workflows.domain.CertificateSource;

import java.net.IDN;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The email to an app's owner about a custom domain's certificate that expires without a replacement in sight. */
public final class DomainMail {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEEE d MMMM yyyy, HH:mm 'GMT'").withZone(ZoneOffset.UTC);

    private DomainMail() {
    }

    /**
     * @param renewalFailure the last reason an ACME renewal failed, or null (an uploaded certificate,
     *                       which Cloudplane never renews)
     */
    public static MailMessage expiryNotice(String to, String firstName, String appName, String hostname, CertificateSource source,
                                           Instant notAfter, String renewalFailure, String consoleUrl) {
        String host = IDN.toUnicode(hostname);
        String subject = "The certificate of " + host + " expires on " + DATE.format(notAfter);
        String why = source == CertificateSource.UPLOADED
                ? "It is the certificate you uploaded, which Cloudplane does not renew: upload a new one (PUT …/domains/{id}/certificate,"
                + " or the domain's page in the console) before then."
                : "Cloudplane has been trying to renew it and keeps failing"
                + (renewalFailure == null ? "." : ", the certificate authority saying: \"" + renewalFailure + "\".")
                + " Check the domain's DNS records (its page shows the last check), or upload a certificate of your own.";
        String body = "The certificate served for " + host + " (app \"" + appName + "\") expires on " + DATE.format(notAfter)
                + ". Browsers will then refuse to open the domain. " + why;
        String link = consoleUrl.replaceAll("/+$", "");
        String text = "Hello " + firstName + ",\n\n" + body + "\n\n" + link + "\n\n-- Cloudplane\n";
        String html = "<p>Hello " + escape(firstName) + ",</p><p>" + escape(body) + "</p><p><a href=\"" + escape(link) + "\">"
                + escape(link) + "</a></p><p>-- Cloudplane</p>";
        return new MailMessage(to, subject, text, html);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
