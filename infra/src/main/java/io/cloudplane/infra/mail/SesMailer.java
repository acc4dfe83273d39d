package io.cloudplane.infra.mail;

import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ses.SesClient;
import software.amazon.awssdk.services.ses.SesClientBuilder;
import software.amazon.awssdk.services.ses.model.RawMessage;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.util.Properties;

/**
 * Amazon SES through AWS SDK v2, sending the same MIME message as the other adapters. Credentials
 * come from the standard chain; {@code CLOUDPLANE_MAIL_SES_REGION} and, for tests or VPC
 * endpoints, {@code CLOUDPLANE_MAIL_SES_ENDPOINT}.
 */
@Singleton
@Requires(property = "cloudplane.mail.transport", value = "ses")
public class SesMailer implements Mailer {
    private final SesClient ses;
    private final String from;
    private final jakarta.mail.Session session = jakarta.mail.Session.getInstance(new Properties());

    public SesMailer(MailSettings mail, SesSettings ses) {
        String region = ses.region();
        String endpoint = ses.endpoint();
        String from = mail.from();
        SesClientBuilder builder = SesClient.builder()
                .region(Region.of(region))
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        if (!endpoint.isBlank()) {
            builder.endpointOverride(URI.create(endpoint));
        }
        this.ses = builder.build();
        this.from = from;
    }

    @Override
    public void send(MailMessage message) {
        try {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            MimeMessages.build(session, from, message).writeTo(raw);
            ses.sendRawEmail(r -> r.rawMessage(RawMessage.builder().data(SdkBytes.fromByteArray(raw.toByteArray())).build()));
        } catch (jakarta.mail.MessagingException | java.io.IOException e) {
            throw new IllegalArgumentException("Not a valid message: " + e.getMessage(), e);
        }
    }

    @PreDestroy
    void close() {
        ses.close();
    }
}
