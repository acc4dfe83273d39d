package io.cloudplane.infra.domain;

import java.time.Instant;

/**
 * Reads and checks certificates in PEM (BouncyCastle's PEM parser where the JDK has none).
 */
public interface Certificates {

    /** The facts of the chain's first (leaf) certificate. */
    CertificateFacts inspect(String chainPem);

    /**
     * Checks an uploaded chain and key for {@code hostname} at {@code now}, and returns them as stored
     * (the key converted to PKCS#8, the chain re-encoded leaf first). Refused when: either does not
     * parse; the key does not match the leaf's public key; the leaf does not cover the host name (its
     * DNS names, a wildcard covering one label); it has expired or is not yet valid; the chain is out
     * of order (each certificate must be signed by the next).
     *
     * @throws CertificateRejectedException naming the field and the reason
     */
    IssuedCertificate checkUpload(String hostname, String chainPem, String privateKeyPem, Instant now);
}
