package io.cloudplane.infra.domain;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

/**
 * Self-signed certificates made in tests (BouncyCastle): an EC P-256 key and a certificate for the
 * given host names, as the PEM a {@code domains} row stores (the chain, and the PKCS#8 key before it
 * is sealed).
 */
public final class SelfSignedCertificates {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A certificate, its PEM chain (just itself) and its private key as PKCS#8 PEM. */
    public record Made(X509Certificate certificate, String chainPem, String keyPem) {
    }

    private SelfSignedCertificates() {
    }

    /** Valid from a minute ago for 90 days, for {@code hosts} (the first is also the subject's CN). */
    public static Made forHosts(String... hosts) {
        return forHosts(Instant.now().minus(Duration.ofMinutes(1)), Duration.ofDays(90), hosts);
    }

    public static Made forHosts(Instant notBefore, Duration validity, String... hosts) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair keys = generator.generateKeyPair();
            X500Name subject = new X500Name("CN=" + hosts[0]);
            GeneralName[] names = new GeneralName[hosts.length];
            for (int i = 0; i < hosts.length; i++) {
                names[i] = new GeneralName(GeneralName.dNSName, hosts[i]);
            }
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, RANDOM).add(BigInteger.ONE),
                    Date.from(notBefore), Date.from(notBefore.plus(validity)), subject, keys.getPublic())
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            return new Made(certificate, pem("CERTIFICATE", certificate.getEncoded()), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException("Cannot make a test certificate for " + String.join(", ", hosts), e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
