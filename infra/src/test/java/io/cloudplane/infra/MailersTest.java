package io.cloudplane.infra;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.sun.net.httpserver.HttpServer;
import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.mail.MailMessage;
import io.cloudplane.infra.mail.OutboxMailer;
import io.cloudplane.infra.mail.SesMailer;
import io.cloudplane.infra.mail.SmtpMailer;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every adapter sends one multipart/alternative message: text, then HTML. */
class MailersTest {
    private static final MailMessage MESSAGE = new MailMessage("ada@example.com", "Your sandbox is asleep",
            "Your sandbox sleeps. It will be deleted on 2027-02-20.", "<p>Your sandbox sleeps. It will be deleted on <b>2027-02-20</b>.</p>");

    @RegisterExtension
    static GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static void assertIsTheMessage(MimeMessage received) throws Exception {
        assertEquals("Your sandbox is asleep", received.getSubject());
        assertEquals("ada@example.com", received.getAllRecipients()[0].toString());
        assertEquals("cloudplane@test.example", received.getFrom()[0].toString());
        Multipart parts = (Multipart) received.getContent();
        assertEquals(2, parts.getCount());
        assertTrue(parts.getBodyPart(0).isMimeType("text/plain"));
        assertTrue(parts.getBodyPart(0).getContent().toString().contains("2027-02-20"));
        assertTrue(parts.getBodyPart(1).isMimeType("text/html"));
        assertTrue(parts.getBodyPart(1).getContent().toString().contains("<b>2027-02-20</b>"));
    }

    @Test
    void theOutboxHoldsOneReadableEmlFilePerMessage() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "outbox-");
        OutboxMailer outbox = new OutboxMailer(new CloudplaneSettings(dir.toString()), "cloudplane@test.example");
        outbox.send(MESSAGE);
        outbox.send(MESSAGE);
        List<Path> files;
        try (var listing = Files.list(outbox.outbox())) {
            files = listing.filter(p -> p.toString().endsWith(".eml")).toList();
        }
        assertEquals(2, files.size());
        try (InputStream in = Files.newInputStream(files.get(0))) {
            assertIsTheMessage(new MimeMessage(Session.getInstance(new Properties()), in));
        }
    }

    @Test
    void smtpDeliversToARealSmtpServer() throws Exception {
        SmtpMailer mailer = new SmtpMailer("127.0.0.1", smtp.getSmtp().getPort(), "", "", false, "cloudplane@test.example");
        mailer.send(MESSAGE);
        assertTrue(smtp.waitForIncomingEmail(5000, 1));
        assertIsTheMessage(smtp.getReceivedMessages()[0]);
    }

    @Test
    void sesSendsTheRawMessageThroughTheAwsSdk() throws Exception {
        AtomicReference<String> request = new AtomicReference<>();
        HttpServer ses = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ses.createContext("/", exchange -> {
            request.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = ("<SendRawEmailResponse xmlns=\"http://ses.amazonaws.com/doc/2010-12-01/\"><SendRawEmailResult>"
                    + "<MessageId>0100-test</MessageId></SendRawEmailResult><ResponseMetadata><RequestId>r1</RequestId>"
                    + "</ResponseMetadata></SendRawEmailResponse>").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/xml");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        ses.start();
        System.setProperty("aws.accessKeyId", "test-key");
        System.setProperty("aws.secretAccessKey", "test-secret");
        try {
            SesMailer mailer = new SesMailer(new io.cloudplane.infra.mail.MailSettings("ses", "cloudplane@test.example"),
                    new io.cloudplane.infra.mail.SesSettings("eu-west-1", "http://127.0.0.1:" + ses.getAddress().getPort()));
            mailer.send(MESSAGE);
        } finally {
            ses.stop(0);
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
        String form = request.get();
        assertTrue(form.contains("Action=SendRawEmail"), form);
        String data = null;
        for (String pair : form.split("&")) {
            if (pair.startsWith("RawMessage.Data=")) {
                data = URLDecoder.decode(pair.substring("RawMessage.Data=".length()), StandardCharsets.UTF_8);
            }
        }
        byte[] raw = Base64.getDecoder().decode(data);
        assertIsTheMessage(new MimeMessage(Session.getInstance(new Properties()), new java.io.ByteArrayInputStream(raw)));
    }
}
