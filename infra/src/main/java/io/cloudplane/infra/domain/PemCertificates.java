package io.cloudplane.infra.domain;

import jakarta.inject.Singleton;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import javax.security.auth.x500.X500Principal;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * {@link Certificates} with the JDK's X.509 parser and BouncyCastle's PEM parser for keys (PKCS#8,
 * PKCS#1 RSA and SEC1 EC, as OpenSSL and most CAs' downloads give them). Keys are stored as PKCS#8.
 */
@Singleton
public class PemCertificates implements Certificates {
    static final String CERTIFICATE = "certificate";
    static final String PRIVATE_KEY = "privateKey";

    @Override
    public CertificateFacts inspect(String chainPem) {
        List<X509Certificate> chain;
        try {
            chain = parseChain(chainPem);
        } catch (CertificateRejectedException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return facts(chain.get(0));
    }

    @Override
    public IssuedCertificate checkUpload(String hostname, String chainPem, String privateKeyPem, Instant now) {
        List<X509Certificate> chain = parseChain(chainPem);
        PrivateKey key = parseKey(privateKeyPem);
        X509Certificate leaf = chain.get(0);
        requireMatchingKey(leaf, key);
        requireCovers(leaf, hostname);
        requireValid(chain, now);
        requireOrdered(chain);
        StringBuilder stored = new StringBuilder();
        for (X509Certificate certificate : chain) {
            stored.append(pem("CERTIFICATE", encoded(certificate)));
        }
        return new IssuedCertificate(stored.toString(), pem("PRIVATE KEY", key.getEncoded()), facts(leaf));
    }

    /** A PEM block of {@code type} (e.g. {@code CERTIFICATE}, {@code PRIVATE KEY} for PKCS#8). */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The certificates of a PEM chain, in the order given. */
    static List<X509Certificate> parseChain(String chainPem) {
        if (chainPem == null || !chainPem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new CertificateRejectedException(CERTIFICATE,
                    "No certificate found: give the PEM chain (blocks starting with -----BEGIN CERTIFICATE-----), the leaf first.");
        }
        try {
            Collection<? extends java.security.cert.Certificate> parsed = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(chainPem.strip().getBytes(StandardCharsets.US_ASCII)));
            List<X509Certificate> chain = new ArrayList<>();
            for (java.security.cert.Certificate certificate : parsed) {
                chain.add((X509Certificate) certificate);
            }
            if (chain.isEmpty()) {
                throw new CertificateException("empty");
            }
            return chain;
        } catch (CertificateException e) {
            throw new CertificateRejectedException(CERTIFICATE,
                    "The certificate chain could not be read as PEM X.509 certificates: check that each block is complete and unaltered.");
        }
    }

    private static PrivateKey parseKey(String privateKeyPem) {
        if (privateKeyPem == null || privateKeyPem.isBlank()) {
            throw new CertificateRejectedException(PRIVATE_KEY, "No private key given: give it as PEM (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA/EC PRIVATE KEY-----).");
        }
        try (PEMParser parser = new PEMParser(new StringReader(privateKeyPem))) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                } else if (object instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                } else if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new CertificateRejectedException(PRIVATE_KEY,
                            "The private key is encrypted with a passphrase: give it unencrypted (e.g. openssl pkey -in key.pem -out plain.pem).");
                } else if (!(object instanceof ASN1ObjectIdentifier)) {
                    // OpenSSL writes "EC PARAMETERS" (an OID) before an EC key; anything else is not a key
                    throw new CertificateRejectedException(PRIVATE_KEY,
                            "The private key field holds something else than a private key: give the key as PEM (-----BEGIN PRIVATE KEY-----).");
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof CertificateRejectedException rejected) {
                throw rejected;
            }
            throw new CertificateRejectedException(PRIVATE_KEY,
                    "The private key could not be read: give it as PEM, PKCS#8 (-----BEGIN PRIVATE KEY-----), PKCS#1 RSA or SEC1 EC.");
        }
        throw new CertificateRejectedException(PRIVATE_KEY,
                "No private key found: give it as PEM (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA/EC PRIVATE KEY-----).");
    }

    private static void requireMatchingKey(X509Certificate leaf, PrivateKey key) {
        PublicKey certified = leaf.getPublicKey();
        boolean matches;
        if (key instanceof RSAPrivateCrtKey rsa && certified instanceof RSAPublicKey rsaPublic) {
            matches = rsa.getModulus().equals(rsaPublic.getModulus()) && rsa.getPublicExponent().equals(rsaPublic.getPublicExponent());
        } else if (key instanceof ECPrivateKey ec && certified instanceof ECPublicKey ecPublic) {
            // the public point is the private scalar times the curve's generator
            org.bouncycastle.jce.spec.ECParameterSpec curve = EC5Util.convertSpec(ec.getParams());
            ECPoint derived = curve.getG().multiply(ec.getS()).normalize();
            matches = derived.getAffineXCoord().toBigInteger().equals(ecPublic.getW().getAffineX())
                    && derived.getAffineYCoord().toBigInteger().equals(ecPublic.getW().getAffineY());
        } else if (!key.getAlgorithm().equals(certified.getAlgorithm())) {
            matches = false;
        } else {
            throw new CertificateRejectedException(PRIVATE_KEY,
                    "The private key is a " + key.getAlgorithm() + " key, which is not supported: use an RSA or EC (ECDSA) key.");
        }
        if (!matches) {
            throw new CertificateRejectedException(PRIVATE_KEY, "The private key does not match the certificate's public key ("
                    + describe(leaf) + "): give the key the certificate was issued for.");
        }
    }

    private static void requireCovers(X509Certificate leaf, String hostname) {
        List<String> names = dnsNames(leaf);
        String host = hostname.toLowerCase(Locale.ROOT);
        for (String name : names) {
            if (covers(name.toLowerCase(Locale.ROOT), host)) {
                return;
            }
        }
        throw new CertificateRejectedException(CERTIFICATE, names.isEmpty()
                ? "The certificate names no DNS names (subject alternative names), so it does not cover " + hostname + "."
                : "The certificate does not cover " + hostname + ": it covers " + String.join(", ", names) + ".");
    }

    /** A name covers the host when equal, or when it is {@code *.rest} and the host is one label more than {@code rest}. */
    static boolean covers(String name, String host) {
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.startsWith("*.")) {
            int dot = host.indexOf('.');
            return dot > 0 && host.substring(dot + 1).equals(name.substring(2));
        }
        return name.equals(host);
    }

    private static void requireValid(List<X509Certificate> chain, Instant now) {
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate certificate = chain.get(i);
            String which = i == 0 ? "The certificate" : "Certificate " + (i + 1) + " of the chain (" + describe(certificate) + ")";
            try {
                certificate.checkValidity(Date.from(now));
            } catch (CertificateExpiredException e) {
                throw new CertificateRejectedException(CERTIFICATE, which + " expired on " + certificate.getNotAfter().toInstant()
                        + " (valid from " + certificate.getNotBefore().toInstant() + "): give a certificate valid now.");
            } catch (CertificateNotYetValidException e) {
                throw new CertificateRejectedException(CERTIFICATE, which + " is not valid before " + certificate.getNotBefore().toInstant()
                        + " (until " + certificate.getNotAfter().toInstant() + "): give a certificate valid now.");
            }
        }
    }

    private static void requireOrdered(List<X509Certificate> chain) {
        for (int i = 0; i + 1 < chain.size(); i++) {
            X509Certificate certificate = chain.get(i);
            X509Certificate next = chain.get(i + 1);
            try {
                certificate.verify(next.getPublicKey());
            } catch (GeneralSecurityException e) {
                throw new CertificateRejectedException(CERTIFICATE, "The chain is out of order: certificate " + (i + 1) + " ("
                        + describe(certificate) + ", issued by " + cnOrDn(certificate.getIssuerX500Principal())
                        + ") is not signed by certificate " + (i + 2) + " (" + describe(next)
                        + "). Put the leaf first, then each certificate's issuer.");
            }
        }
    }

    static CertificateFacts facts(X509Certificate leaf) {
        return new CertificateFacts(cnOrDn(leaf.getSubjectX500Principal()), cnOrDn(leaf.getIssuerX500Principal()), dnsNames(leaf),
                leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(), leaf.getSerialNumber().toString(16),
                sha256(encoded(leaf)));
    }

    private static List<String> dnsNames(X509Certificate certificate) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names == null) {
                return List.of();
            }
            return names.stream().filter(n -> Integer.valueOf(2).equals(n.get(0))).map(n -> String.valueOf(n.get(1))).toList();
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    /** The common name when there is one, else the whole distinguished name. */
    static String cnOrDn(X500Principal principal) {
        X500Name name = X500Name.getInstance(principal.getEncoded());
        RDN[] cn = name.getRDNs(BCStyle.CN);
        return cn.length > 0 ? IETFUtils.valueToString(cn[0].getFirst().getValue()) : principal.getName(X500Principal.RFC2253);
    }

    private static String describe(X509Certificate certificate) {
        return cnOrDn(certificate.getSubjectX500Principal());
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(byte[] der) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
