package io.cloudplane.infra.domain;

import io.cloudplane.workflows.domain.CertificateSource;
import io.cloudplane.workflows.domain.DomainStatus;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

/**
 * A custom domain (table {@code domains}, migration V23). {@code hostname} is the ASCII form (punycode
 * for an internationalized name), lower case, without a trailing dot. {@code certificateKeySealed} is
 * the certificate's PKCS#8 private key PEM sealed by {@link io.cloudplane.infra.crypto.SecretBox}:
 * never clear text, never shown by the API. The three certificate columns are all set or all null.
 */
@MappedEntity("domains")
public record DomainRecord(@Id UUID id, UUID appId, UUID envId, String hostname, DomainStatus status,
                           String challengeToken, @Nullable UUID createdBy, Instant createdAt, Instant updatedAt,
                           @Nullable Instant lastCheckedAt, @Nullable String lastCheckResult, @Nullable Instant verifiedAt,
                           @Nullable String failureReason,
                           @Nullable CertificateSource certificateSource, @Nullable String certificateChainPem,
                           @Nullable String certificateKeySealed, @Nullable String certificateIssuer,
                           @Nullable Instant certificateNotBefore, @Nullable Instant certificateNotAfter,
                           @Nullable Instant certificateInstalledAt,
                           @Nullable Instant renewalFailingSince, @Nullable String renewalFailure,
                           @Nullable Instant expiryNoticeFor) {

    /** The name of the TXT record that proves ownership. */
    public static final String CHALLENGE_LABEL = "_cloudplane-challenge";

    public String challengeRecordName() {
        return CHALLENGE_LABEL + "." + hostname;
    }

    /**
     * The time to store as a new certificate's {@code certificate_installed_at}, which identifies the
     * certificate in the domain's workflow (as epoch milliseconds): whole milliseconds, so that the
     * column (microseconds) compares equal to what the workflow carries.
     */
    public static Instant installationTime() {
        return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    public boolean hasCertificate() {
        return certificateChainPem != null;
    }
}
