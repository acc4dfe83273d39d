package io.cloudplane.workflows.domain;

/**
 * A domain's row as the workflow needs it. {@code certificateInstalledAt} identifies the certificate
 * served (a new one, issued or uploaded, has a new one); times are epoch milliseconds, 0 when unset.
 *
 * @param exists             false once the row is gone (deleted, or its environment or app deleted)
 * @param expiryNoticeSent   the expiry email of the certificate served was sent
 */
public record DomainState(boolean exists, DomainStatus status, CertificateSource source, long certificateNotAfter,
                          long certificateInstalledAt, boolean expiryNoticeSent) {

    public static DomainState gone() {
        return new DomainState(false, null, null, 0, 0, false);
    }

    public boolean hasCertificate() {
        return exists && source != null;
    }
}
