package io.cloudplane.workflows.domain;

/**
 * A custom domain's state: {@code PENDING_VERIFICATION} (its DNS does not yet prove ownership and
 * point here) → {@code VERIFIED} → {@code ISSUING} (an ACME order under way) → {@code ACTIVE} (served
 * with its certificate) → {@code RENEWING} (a new certificate being issued while the old one serves)
 * → {@code ACTIVE}; or {@code FAILED}, with a reason that says what to fix.
 */
public enum DomainStatus {
    PENDING_VERIFICATION, VERIFIED, ISSUING, ACTIVE, RENEWING, FAILED;

    /** Whether the gateway serves the domain's certificate (a renewal keeps serving the current one). */
    public boolean servesCertificate() {
        return this == ACTIVE || this == RENEWING;
    }
}
