package io.cloudplane.infra.domain;

/**
 * A certificate and its key, as stored: {@code chainPem} leaf first then its intermediates,
 * {@code privateKeyPem} PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), which Netty's
 * {@code SslContextBuilder} and a Kubernetes TLS Secret both take as it is.
 */
public record IssuedCertificate(String chainPem, String privateKeyPem, CertificateFacts facts) {
}
