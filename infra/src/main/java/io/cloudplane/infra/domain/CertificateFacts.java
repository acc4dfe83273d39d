package io.cloudplane.infra.domain;

import java.time.Instant;
import java.util.List;

/** What the API shows of a certificate (its leaf), read from its PEM. */
public record CertificateFacts(String subject, String issuer, List<String> dnsNames, Instant notBefore, Instant notAfter,
                               String serialNumber, String sha256Fingerprint) {
}
