package io.cloudplane.workflows.domain;

import io.temporal.activity.ActivityInterface;

/**
 * What the domain workflow does outside itself: the row, the DNS, the certificate authority, the
 * runtime's ingress and the owner's email. Every method is idempotent and reads the row first: a
 * domain whose row is gone is no error ({@link DomainState#exists()}, {@link DnsCheck#exists()}).
 */
@ActivityInterface(namePrefix = "Domain")
public interface DomainActivities {

    DomainState load(String domainId);

    /**
     * Asks the DNS (never a cache) for what the row expects (its TXT token; a CNAME to
     * {@code gatewayHost} or the configured addresses; CAA allowing the authority), and writes the check's time and result.
     * Success moves a {@code PENDING_VERIFICATION} domain to {@code VERIFIED}; without ACME, the result
     * then says to upload a certificate.
     */
    DnsCheck checkDns(String domainId, String gatewayHost);

    /** A verification begins again (a {@code verifyNow} on a FAILED domain): FAILED → PENDING_VERIFICATION, the reason cleared. */
    void restartVerification(String domainId);

    /** FAILED with {@code reason} (what to fix, in words), unless the row has a certificate meanwhile. */
    void fail(String domainId, String reason);

    /**
     * Orders a certificate over ACME (heartbeating while the authority works) and stores it, with
     * its key sealed, if the row still wants one: a first one ({@code replacingInstalledAt} 0, the
     * row marked ISSUING), or a renewal of the ACME certificate installed at {@code replacingInstalledAt}
     * (the row marked RENEWING; a failure is recorded in its {@code renewal_failing_since} and
     * {@code renewal_failure}). A refusal is a non-retryable {@code CertificateRefused} failure with
     * the authority's words; an authority out of reach is retryable.
     */
    void issueCertificate(String domainId, long replacingInstalledAt);

    /** Serves the row's certificate: the runtime's ingress is given the domain's route ({@code EnvironmentRuntime.publishDomain}), and the row becomes ACTIVE. */
    void publish(String domainId);

    /** Stops serving the domain on the runtime's ingress: from what the workflow carries, since the row may be gone. */
    void withdraw(String envId, String domainId, String hostname);

    /** Emails the app's owner that the certificate expiring at {@code notAfter} was not replaced: once per certificate. */
    void sendExpiryNotice(String domainId, long notAfter);
}
