package io.cloudplane.infra.mail;

import io.cloudplane.infra.config.CloudplaneSettings;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;

/**
 * The embedded default: each message is an {@code .eml} file in {@code <data dir>/outbox}, which any
 * mail client opens. Files are written whole (temporary file, then an atomic move).
 */
@Singleton
@Requires(property = "cloudplane.mail.transport", value = "outbox", defaultValue = "outbox")
public class OutboxMailer implements Mailer {
    private final Path outbox;
    private final String from;
    private final Session session = Session.getInstance(new Properties());

    @Inject
    public OutboxMailer(CloudplaneSettings settings, MailSettings mail) {
        this(settings, mail.from());
    }

    public OutboxMailer(CloudplaneSettings settings, String from) {
        this.outbox = settings.dataDir().resolve("outbox");
        this.from = from;
    }

    @Override
    public void send(MailMessage message) {
        try {
            Files.createDirectories(outbox);
            String name = Instant.now().toString().replace(":", "-") + "-" + UUID.randomUUID() + ".eml";
            Path tmp = outbox.resolve("." + name + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                MimeMessages.build(session, from, message).writeTo(out);
            }
            Files.move(tmp, outbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write to the outbox " + outbox, e);
        } catch (MessagingException e) {
            throw new IllegalArgumentException("Not a valid message: " + e.getMessage(), e);
        }
    }

    public Path outbox() {
        return outbox;
    }
}
