package io.cloudplane.infra.domain;

import io.cloudplane.infra.domain.TestCertificates.Issued;
import org.junit.jupiter.api.Test;

import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PemCertificatesTest {
    private static final Issued ROOT = TestCertificates.root("Test Root");
    private static final Issued INTERMEDIATE = ROOT.intermediate("Test Intermediate");

    private final PemCertificates certificates = new PemCertificates();
    private final Instant now = Instant.now();

    @Test
    void acceptsAnEcChainWithPkcs8KeyAndReturnsItLeafFirstWithItsFacts() throws Exception {
        Issued leaf = INTERMEDIATE.leaf("shop.example.com", "www.shop.example.com");

        IssuedCertificate stored = certificates.checkUpload("shop.example.com", leaf.chainPem(INTERMEDIATE, ROOT), leaf.privateKeyPem(), now);

        List<java.security.cert.X509Certificate> chain = PemCertificates.parseChain(stored.chainPem());
        assertEquals(3, chain.size());
        assertEquals(leaf.certificate(), chain.get(0));
        assertEquals(INTERMEDIATE.certificate(), chain.get(1));
        assertTrue(stored.privateKeyPem().startsWith("-----BEGIN PRIVATE KEY-----\n"));
        // The same key, compared by its value: its PKCS#8 bytes may carry the optional public key or not, depending on
        // which provider encoded it (BouncyCastle, once registered, as MINA SSHD does, writes it; the JDK does not).
        java.security.interfaces.ECPrivateKey storedKey = (java.security.interfaces.ECPrivateKey) java.security.KeyFactory.getInstance("EC")
                .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(der(stored.privateKeyPem())));
        assertEquals(((java.security.interfaces.ECPrivateKey) leaf.keyPair().getPrivate()).getS(), storedKey.getS());
        assertEquals(((java.security.interfaces.ECPrivateKey) leaf.keyPair().getPrivate()).getParams().getCurve(), storedKey.getParams().getCurve());
        CertificateFacts facts = stored.facts();
        assertEquals("Test Intermediate", facts.issuer());
        assertEquals("shop.example.com", facts.subject());
        assertEquals(List.of("shop.example.com", "www.shop.example.com"), facts.dnsNames());
        assertEquals(leaf.certificate().getNotAfter().toInstant(), facts.notAfter());
        assertEquals(leaf.certificate().getNotBefore().toInstant(), facts.notBefore());
        assertEquals(leaf.certificate().getSerialNumber().toString(16), facts.serialNumber());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.certificate().getEncoded())),
                facts.sha256Fingerprint());
        assertEquals(facts, certificates.inspect(stored.chainPem()));
    }

    @Test
    void acceptsPkcs1RsaAndSec1EcKeysAndStoresThemAsPkcs8() throws Exception {
        Issued rsa = INTERMEDIATE.leaf(TestCertificates.rsaKeyPair(), now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), "rsa.example.com");
        assertTrue(rsa.traditionalPrivateKeyPem().startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        IssuedCertificate storedRsa = certificates.checkUpload("rsa.example.com", rsa.chainPem(INTERMEDIATE), rsa.traditionalPrivateKeyPem(), now);
        assertEquals(rsa.keyPair().getPrivate(), KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der(storedRsa.privateKeyPem()))));

        Issued ec = INTERMEDIATE.leaf("ec.example.com");
        assertTrue(ec.traditionalPrivateKeyPem().startsWith("-----BEGIN EC PRIVATE KEY-----"));
        IssuedCertificate storedEc = certificates.checkUpload("ec.example.com", ec.chainPem(INTERMEDIATE), ec.traditionalPrivateKeyPem(), now);
        java.security.interfaces.ECPrivateKey key = (java.security.interfaces.ECPrivateKey) KeyFactory.getInstance("EC")
                .generatePrivate(new PKCS8EncodedKeySpec(der(storedEc.privateKeyPem())));
        assertEquals(((java.security.interfaces.ECPrivateKey) ec.keyPair().getPrivate()).getS(), key.getS());

        // OpenSSL's "ecparam -genkey" writes the curve's parameters before the key
        String withParameters = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" + ec.traditionalPrivateKeyPem();
        certificates.checkUpload("ec.example.com", ec.chainPem(INTERMEDIATE), withParameters, now);
    }

    @Test
    void aWildcardCoversExactlyOneLabel() {
        Issued leaf = INTERMEDIATE.leaf("*.example.com");
        certificates.checkUpload("shop.example.com", leaf.chainPem(INTERMEDIATE), leaf.privateKeyPem(), now);
        certificates.checkUpload("SHOP.Example.com", leaf.chainPem(INTERMEDIATE), leaf.privateKeyPem(), now);

        for (String host : List.of("example.com", "a.shop.example.com", "shop.example.org")) {
            CertificateRejectedException refused = assertThrows(CertificateRejectedException.class,
                    () -> certificates.checkUpload(host, leaf.chainPem(INTERMEDIATE), leaf.privateKeyPem(), now));
            assertEquals("certificate", refused.field());
            assertEquals("The certificate does not cover " + host + ": it covers *.example.com.", refused.getMessage());
        }
    }

    @Test
    void refusesACertificateForAnotherHostNamingWhatItCovers() {
        Issued leaf = INTERMEDIATE.leaf("a.example.com", "b.example.com");
        CertificateRejectedException refused = assertThrows(CertificateRejectedException.class,
                () -> certificates.checkUpload("shop.example.com", leaf.chainPem(INTERMEDIATE), leaf.privateKeyPem(), now));
        assertEquals("certificate", refused.field());
        assertEquals("The certificate does not cover shop.example.com: it covers a.example.com, b.example.com.", refused.getMessage());

        Issued noNames = INTERMEDIATE.leaf();
        refused = assertThrows(CertificateRejectedException.class,
                () -> certificates.checkUpload("shop.example.com", noNames.chainPem(INTERMEDIATE), noNames.privateKeyPem(), now));
        assertTrue(refused.getMessage().contains("names no DNS names"), refused.getMessage());
    }

    @Test
    void refusesAKeyThatDoesNotMatchTheLeaf() {
        Issued leaf = INTERMEDIATE.leaf("shop.example.com");
        Issued other = INTERMEDIATE.leaf("shop.example.com");
        Issued rsa = INTERMEDIATE.leaf(TestCertificates.rsaKeyPair(), now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), "shop.example.com");
        Issued otherRsa = INTERMEDIATE.leaf(TestCertificates.rsaKeyPair(), now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), "shop.example.com");
        for (String[] chainAndKey : List.of(
                new String[]{leaf.chainPem(INTERMEDIATE), other.privateKeyPem()},
                new String[]{leaf.chainPem(INTERMEDIATE), rsa.privateKeyPem()},
                new String[]{rsa.chainPem(INTERMEDIATE), otherRsa.traditionalPrivateKeyPem()},
                new String[]{leaf.chainPem(INTERMEDIATE), INTERMEDIATE.privateKeyPem()})) {
            CertificateRejectedException refused = assertThrows(CertificateRejectedException.class,
                    () -> certificates.checkUpload("shop.example.com", chainAndKey[0], chainAndKey[1], now));
            assertEquals("privateKey", refused.field());
            assertEquals("The private key does not match the certificate's public key (shop.example.com): "
                    + "give the key the certificate was issued for.", refused.getMessage());
        }
    }

    @Test
    void refusesAnExpiredOrNotYetValidCertificateWithItsDates() {
        Instant notBefore = Instant.parse("2024-01-01T00:00:00Z");
        Instant notAfter = Instant.parse("2024-04-01T00:00:00Z");
        Issued expired = INTERMEDIATE.leaf(TestCertificates.ecKeyPair(), notBefore, notAfter, "shop.example.com");
        CertificateRejectedException refused = assertThrows(CertificateRejectedException.class,
                () -> certificates.checkUpload("shop.example.com", expired.chainPem(INTERMEDIATE), expired.privateKeyPem(), now));
        assertEquals("certificate", refused.field());
        assertEquals("The certificate expired on 2024-04-01T00:00:00Z (valid from 2024-01-01T00:00:00Z): give a certificate valid now.",
                refused.getMessage());

        refused = assertThrows(CertificateRejectedException.class,
                () -> certificates.checkUpload("shop.example.com", expired.chainPem(INTERMEDIATE), expired.privateKeyPem(),
                        Instant.parse("2023-12-31T00:00:00Z")));
        assertEquals("The certificate is not valid before 2024-01-01T00:00:00Z (until 2024-04-01T00:00:00Z): give a certificate valid now.",
                refused.getMessage());
        // the same certificate at a time inside its validity is accepted
        // the same leaf at a time inside its validity is accepted (alone: the test's intermediate is younger)
        certificates.checkUpload("shop.example.com", expired.certificatePem(), expired.privateKeyPem(), Instant.parse("2024-02-01T00:00:00Z"));

        Issued leaf = INTERMEDIATE.leaf("shop.example.com");
        refused = assertThrows(CertificateRejectedException.class,
                () -> certificates.checkUpload("shop.example.com", leaf.chainPem(INTERMEDIATE), leaf.privateKeyPem(), now.plus(Duration.ofDays(400))));
        assertTrue(refused.getMessage().startsWith("The certificate expired on "), refused.getMessage());
        Instant intermediateAlone = INTERMEDIATE.certificate().getNotBefore().toInstant().minusSeconds(1);
        Issued early = INTERMEDIATE.leaf(TestCertificates.ecKeyPair(), intermediateAlone.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(1)), "shop.example.com");
        refused = assertThrows(CertificateRejectedException.class,
                () -> certificates.checkUpload("shop.example.com", early.chainPem(INTERMEDIATE), early.privateKeyPem(), intermediateAlone));
        assertTrue(refused.getMessage().startsWith("Certificate 2 of the chain (Test Intermediate) is not valid before "), refused.getMessage());
    }

    @Test
    void refusesAChainOutOfOrderNamingThePosition() {
        Issued leaf = INTERMEDIATE.leaf("shop.example.com");
        CertificateRejectedException refused = assertThrows(CertificateRejectedException.class,
                () -> certificates.checkUpload("shop.example.com", leaf.chainPem(ROOT, INTERMEDIATE), leaf.privateKeyPem(), now));
        assertEquals("certificate", refused.field());
        assertEquals("The chain is out of order: certificate 1 (shop.example.com, issued by Test Intermediate) is not signed by "
                + "certificate 2 (Test Root). Put the leaf first, then each certificate's issuer.", refused.getMessage());

        Issued second = ROOT.intermediate("Second Intermediate");
        refused = assertThrows(CertificateRejectedException.class,
                () -> certificates.checkUpload("shop.example.com", leaf.chainPem(INTERMEDIATE, second), leaf.privateKeyPem(), now));
        assertTrue(refused.getMessage().startsWith("The chain is out of order: certificate 2 (Test Intermediate, issued by Test Root)"),
                refused.getMessage());

        // an intermediate pasted in place of the leaf: its key is not the one given
        refused = assertThrows(CertificateRejectedException.class,
                () -> certificates.checkUpload("shop.example.com", INTERMEDIATE.chainPem(leaf), leaf.privateKeyPem(), now));
        assertEquals("privateKey", refused.field());
    }

    @Test
    void refusesWhatDoesNotParseInPlainWords() {
        Issued leaf = INTERMEDIATE.leaf("shop.example.com");
        CertificateRejectedException refused = assertThrows(CertificateRejectedException.class,
                () -> certificates.checkUpload("shop.example.com", "hello", leaf.privateKeyPem(), now));
        assertEquals("certificate", refused.field());
        assertTrue(refused.getMessage().startsWith("No certificate found"), refused.getMessage());

        String broken = leaf.certificatePem().replace("\n-----END", "AAAA\n-----END").substring(0, 200) + "\n-----END CERTIFICATE-----\n";
        refused = assertThrows(CertificateRejectedException.class,
                () -> certificates.checkUpload("shop.example.com", broken, leaf.privateKeyPem(), now));
        assertEquals("certificate", refused.field());
        assertEquals("The certificate chain could not be read as PEM X.509 certificates: check that each block is complete and unaltered.",
                refused.getMessage());

        for (String key : List.of("", "not a key", leaf.certificatePem(),
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")) {
            refused = assertThrows(CertificateRejectedException.class,
                    () -> certificates.checkUpload("shop.example.com", leaf.chainPem(INTERMEDIATE), key, now));
            assertEquals("privateKey", refused.field());
            assertFalse(refused.getMessage().contains("Exception"), refused.getMessage());
        }

        assertThrows(IllegalArgumentException.class, () -> certificates.inspect("garbage"));
    }

    @Test
    void theIssuerIsTheWholeNameWhenItHasNoCommonName() throws Exception {
        org.bouncycastle.asn1.x500.X500Name name = new org.bouncycastle.asn1.x500.X500Name("O=Example Org,C=FR");
        assertEquals("C=FR,O=Example Org", PemCertificates.cnOrDn(new javax.security.auth.x500.X500Principal(name.getEncoded())));
    }

    private static byte[] der(String pem) {
        return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    }
}
