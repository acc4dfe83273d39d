package io.cloudplane.infra.domain;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;

/**
 * Certificates made in a test with BouncyCastle, as PEM: a root CA, intermediates, leaves with EC or
 * RSA keys, any validity. Shared with the api and worker tests (uploads, the gateway's TLS).
 *
 * <pre>{@code
 * Issued root = TestCertificates.root("Test Root");
 * Issued intermediate = root.intermediate("Test Intermediate");
 * Issued leaf = intermediate.leaf("shop.example.com");
 * String chain = leaf.chainPem(intermediate);         // leaf first
 * String key = leaf.privateKeyPem();                  // PKCS#8
 * }</pre>
 */
public final class TestCertificates {
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestCertificates() {
    }

    /** A certificate and its key pair. */
    public record Issued(X509Certificate certificate, KeyPair keyPair) {

        /** A CA under this one (EC P-256, valid from an hour ago for ten years). */
        public Issued intermediate(String commonName) {
            return issue(commonName, true, ecKeyPair(), Instant.now().minus(Duration.ofHours(1)),
                    Instant.now().plus(Duration.ofDays(3650)), List.of(), List.of());
        }

        /** A leaf for these DNS names (EC P-256, valid from an hour ago for 90 days), signed by this CA. */
        public Issued leaf(String... dnsNames) {
            return leaf(ecKeyPair(), Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(90)), dnsNames);
        }

        /** A leaf with this key and validity, signed by this CA. */
        public Issued leaf(KeyPair key, Instant notBefore, Instant notAfter, String... dnsNames) {
            return issue(dnsNames.length == 0 ? "leaf" : dnsNames[0], false, key, notBefore, notAfter, Arrays.asList(dnsNames), List.of());
        }

        /** Any certificate signed by this one. */
        public Issued issue(String commonName, boolean ca, KeyPair subjectKey, Instant notBefore, Instant notAfter,
                            List<String> dnsNames, List<String> ipAddresses) {
            return TestCertificates.issue(new X500Name("CN=" + commonName), subjectKey, this, ca, notBefore, notAfter, dnsNames, ipAddresses);
        }

        /** This certificate's PEM. */
        public String certificatePem() {
            return TestCertificates.pem(certificate);
        }

        /** This certificate then {@code issuers}' in the order given (leaf first, as a server sends it). */
        public String chainPem(Issued... issuers) {
            StringBuilder chain = new StringBuilder(certificatePem());
            for (Issued issuer : issuers) {
                chain.append(issuer.certificatePem());
            }
            return chain.toString();
        }

        /** The private key as PKCS#8 ({@code BEGIN PRIVATE KEY}). */
        public String privateKeyPem() {
            return pkcs8(keyPair.getPrivate());
        }

        /** The private key in OpenSSL's traditional form: PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}). */
        public String traditionalPrivateKeyPem() {
            return traditional(keyPair);
        }
    }

    /** A self-signed root CA (EC P-256, valid from an hour ago for ten years). */
    public static Issued root(String commonName) {
        KeyPair key = ecKeyPair();
        X500Name name = new X500Name("CN=" + commonName);
        return issue(name, key, null, true, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(3650)),
                List.of(), List.of());
    }

    /** A self-signed server certificate for {@code localhost} and {@code 127.0.0.1}, e.g. for a test server's HTTPS. */
    public static Issued localhostServer() {
        Issued root = root("Cloudplane test localhost CA");
        return root.issue("localhost", false, ecKeyPair(), Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(365)), List.of("localhost"), List.of("127.0.0.1", "::1"));
    }

    public static KeyPair ecKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(X509Certificate certificate) {
        return write(certificate);
    }

    public static String pkcs8(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    /**
     * The private key in OpenSSL's traditional form, as {@code openssl genrsa} / {@code openssl ecparam -genkey}
     * write it: PKCS#1 for RSA, SEC1 with the curve's name and the public key for EC.
     */
    public static String traditional(KeyPair pair) {
        if (!pair.getPrivate().getAlgorithm().equals("EC")) {
            return write(pair.getPrivate());
        }
        try {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(pair.getPrivate().getEncoded());
            org.bouncycastle.asn1.sec.ECPrivateKey inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
            SubjectPublicKeyInfo publicKey = SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded());
            org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(),
                    publicKey.getPublicKeyData(), info.getPrivateKeyAlgorithm().getParameters());
            return write(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code pem} to {@code file} (e.g. for a trust file setting) and returns it. */
    public static Path write(Path file, String pem) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.writeString(file, pem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String write(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static Issued issue(X500Name subject, KeyPair subjectKey, Issued issuer, boolean ca, Instant notBefore, Instant notAfter,
                                List<String> dnsNames, List<String> ipAddresses) {
        try {
            X500Name issuerName = issuer == null ? subject : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
            PrivateKey signingKey = issuer == null ? subjectKey.getPrivate() : issuer.keyPair().getPrivate();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName, new BigInteger(64, RANDOM).abs().add(BigInteger.ONE),
                    Date.from(notBefore), Date.from(notAfter), subject, subjectKey.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            builder.addExtension(Extension.keyUsage, true, ca
                    ? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature)
                    : new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            List<GeneralName> names = new ArrayList<>();
            dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
            ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
            if (!names.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            }
            String algorithm = signingKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            ContentSigner signer = new JcaContentSignerBuilder(algorithm).build(signingKey);
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
            return new Issued(certificate, subjectKey);
        } catch (Exception e) {
            throw new IllegalStateException("could not make a test certificate for " + subject, e);
        }
    }
}
