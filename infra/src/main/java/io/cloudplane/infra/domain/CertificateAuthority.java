package io.cloudplane.infra.domain;

import java.util.List;

/**
 * Issues certificates over ACME (acme4j) from the directory of {@code cloudplane.domain.acme-directory}
 * with the HTTP-01 challenge: the challenge's token and key authorization go to
 * {@link AcmeChallengeRepository} for the gateway to answer, and are deleted once the authority decided.
 * Cloudplane's account (one per directory) is kept in {@code acme_accounts}.
 */
public interface CertificateAuthority {

    /** Whether an ACME directory is configured (if not, domains wait for an uploaded certificate). */
    boolean configured();

    /** The directory's CAA identities (its metadata's {@code caaIdentities}, or the configured ones); may be empty. */
    List<String> caaIdentities();

    /**
     * Orders, proves and downloads a certificate for {@code hostname} with a new key pair. Blocking
     * (seconds to minutes); calls {@code progress} now and then so that an activity can heartbeat.
     *
     * @throws CertificateRefusedException when the authority refused (its own message inside), or
     *                                     could not be reached (then {@code retryable})
     */
    IssuedCertificate issue(String hostname, Runnable progress) throws CertificateRefusedException;
}
