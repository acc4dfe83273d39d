package io.cloudplane.activities.sandbox;

import io.cloudplane.infra.mail.MailMessage;
import io.cloudplane.workflows.sandbox.SandboxMail;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The lifecycle's emails: plain text and HTML, naming the app, the event and the date of the next action. */
public final class SandboxMailTemplates {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEEE d MMMM yyyy, HH:mm 'GMT'").withZone(ZoneOffset.UTC);

    private SandboxMailTemplates() {
    }

    public static MailMessage render(SandboxMail mail, String to, String firstName, String appName, String consoleUrl) {
        String when = DATE.format(Instant.ofEpochMilli(mail.nextActionAt()));
        String link = consoleUrl.replaceAll("/$", "") + "/api/v1/apps/" + mail.appId();
        String subject;
        String body;
        switch (mail.kind()) {
            case ASLEEP -> {
                subject = "Your sandbox \"" + appName + "\" is asleep";
                body = "Your sandbox \"" + appName + "\" has not been opened in the Studio for a while, so it went to sleep: "
                        + "its server is stopped and its code and data are kept. Log in to wake it. "
                        + "If it is not woken, it will be deleted permanently on " + when + ".";
            }
            case AWAKE -> {
                subject = "Your sandbox \"" + appName + "\" is awake";
                body = "Your sandbox \"" + appName + "\" is running again. It will go back to sleep if its Studio is not "
                        + "opened before " + when + ".";
            }
            case DELETION_NOTICE -> {
                subject = "Your sandbox \"" + appName + "\" will be deleted on " + when;
                body = "Your sandbox \"" + appName + "\" is asleep and will be deleted permanently, with its code and data, on "
                        + when + ". Log in before then to wake it and keep it.";
            }
            case DELETED -> {
                subject = "Your sandbox \"" + appName + "\" was deleted";
                body = "Your sandbox \"" + appName + "\" was deleted on " + when + " after a long sleep, as announced.";
            }
            default -> throw new IllegalArgumentException(mail.kind().name());
        }
        String text = "Hello " + firstName + ",\n\n" + body + "\n\n" + link + "\n\n-- Cloudplane\n";
        String html = "<p>Hello " + escape(firstName) + ",</p><p>" + escape(body) + "</p><p><a href=\"" + escape(link) + "\">"
                + escape(link) + "</a></p><p>-- Cloudplane</p>";
        return new MailMessage(to, subject, text, html);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
