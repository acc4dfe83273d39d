package io.cloudplane.infra.domain;

/**
 * The certificate authority refused an order or could not be reached. The message is for the owner:
 * the authority's own words (its problem document's detail), and what to do.
 */
public class CertificateRefusedException extends RuntimeException {
    private final boolean retryable;

    public CertificateRefusedException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** True for what a later attempt may fix by itself (the authority unreachable, a rate limit); false for a refusal. */
    public boolean retryable() {
        return retryable;
    }
}
