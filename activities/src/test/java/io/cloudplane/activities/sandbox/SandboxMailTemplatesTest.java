package io.cloudplane.activities.sandbox;

import io.cloudplane.infra.mail.MailMessage;
import io.cloudplane.workflows.sandbox.SandboxMail;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SandboxMailTemplatesTest {
    private static final long DELETES_AT = Instant.parse("2027-02-20T02:00:00Z").toEpochMilli();

    @Test
    void everyLifecycleMailNamesTheAppTheEventTheNextDateAndLinksToTheConsole() {
        for (SandboxMail.Kind kind : SandboxMail.Kind.values()) {
            MailMessage mail = SandboxMailTemplates.render(new SandboxMail("a1", "u1", kind, DELETES_AT), "ada@example.com", "Ada",
                    "sandbox", "https://console.example.com/");
            assertEquals("ada@example.com", mail.to());
            assertTrue(mail.subject().contains("\"sandbox\""), mail.subject());
            for (String body : new String[]{mail.text(), mail.html()}) {
                assertTrue(body.contains("Ada"), body);
                assertTrue(body.contains("20 February 2027, 02:00 GMT"), kind + ": " + body);
                assertTrue(body.contains("https://console.example.com/api/v1/apps/a1"), body);
            }
        }
        assertTrue(SandboxMailTemplates.render(new SandboxMail("a1", "u1", SandboxMail.Kind.ASLEEP, DELETES_AT), "a@example.com", "A",
                "sandbox", "http://x").text().contains("deleted permanently on"));
        assertTrue(SandboxMailTemplates.render(new SandboxMail("a1", "u1", SandboxMail.Kind.AWAKE, DELETES_AT), "a@example.com", "A",
                "sandbox", "http://x").text().contains("back to sleep"));
    }

    @Test
    void theHtmlPartEscapesWhatItQuotes() {
        MailMessage mail = SandboxMailTemplates.render(new SandboxMail("a1", "u1", SandboxMail.Kind.DELETED, DELETES_AT), "a@example.com",
                "<script>", "sandbox", "http://x");
        assertFalse(mail.html().contains("<script>"));
        assertTrue(mail.html().contains("&lt;script&gt;"));
    }
}
