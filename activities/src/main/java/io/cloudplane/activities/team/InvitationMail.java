package io.cloudplane.activities.team;

import io.cloudplane.infra.mail.MailMessage;
import io.cloudplane.infra.team.InvitationRecord;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The invitation's email: who invites, to which app and environment, as what, the accept link and until when. */
public final class InvitationMail {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEEE d MMMM yyyy, HH:mm 'GMT'").withZone(ZoneOffset.UTC);

    private InvitationMail() {
    }

    /** The page a person opens to see and accept the invitation: {@code <console URL>/invitations/<token>}. */
    public static String acceptLink(String consoleUrl, String token) {
        return consoleUrl.replaceAll("/+$", "") + "/invitations/" + token;
    }

    public static MailMessage render(InvitationRecord invitation, String inviterName, String appName, String envName, String link,
                                     Instant expiresAt) {
        String as = invitation.kind() == InvitationRecord.Kind.DEVELOPER
                ? "a developer of the application \"" + appName + "\""
                : "a user of the application \"" + appName + "\" (its " + envName + " environment)";
        String subject = inviterName + " invites you to " + appName + " on Cloudplane";
        String body = inviterName + " invites you to join " + as + " with the profile \"" + invitation.profile()
                + "\". The invitation is for " + invitation.email() + " and is valid until " + DATE.format(expiresAt)
                + ". Open the link to accept it (sign up first with this email if you have no account).";
        String text = "Hello " + invitation.firstName() + ",\n\n" + body + "\n\n" + link + "\n\n-- Cloudplane\n";
        String html = "<p>Hello " + escape(invitation.firstName()) + ",</p><p>" + escape(body) + "</p><p><a href=\"" + escape(link)
                + "\">" + escape(link) + "</a></p><p>-- Cloudplane</p>";
        return new MailMessage(invitation.email(), subject, text, html);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
