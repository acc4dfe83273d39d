package io.cloudplane.worker;

import io.cloudplane.infra.domain.TestCertificates;

import javax.net.ssl.SSLContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DomainIT's uploads: refusals that change nothing, then a certificate that replaces the served one without a restart. */
final class UploadChecks {
    private UploadChecks() {
    }

    static void uploadReplacesPebblesCertificate(AllInOne cloudplane, String owner, String domainPath, String hostname, int tlsPort)
            throws Exception {
        String certificatePath = domainPath + "/certificate";
        TestCertificates.Issued root = TestCertificates.root("Upload Test Root");
        TestCertificates.Issued intermediate = root.intermediate("Upload Test Intermediate");
        TestCertificates.Issued leaf = intermediate.leaf(hostname);
        String chain = leaf.chainPem(intermediate);
        var before = cloudplane.call("GET", domainPath, owner, null);

        // A key that is not the certificate's.
        var wrongKey = cloudplane.call("PUT", certificatePath, owner, Map.of("certificate", chain,
                "privateKey", intermediate.leaf(hostname).privateKeyPem()));
        assertEquals(400, wrongKey.status(), wrongKey.raw());
        assertTrue(wrongKey.raw().contains("privateKey"), "the field is named: " + wrongKey.raw());
        // A certificate for another host.
        TestCertificates.Issued other = intermediate.leaf("www.elsewhere.test");
        var wrongHost = cloudplane.call("PUT", certificatePath, owner, Map.of("certificate", other.chainPem(intermediate),
                "privateKey", other.privateKeyPem()));
        assertEquals(400, wrongHost.status(), wrongHost.raw());
        assertTrue(wrongHost.raw().contains("certificate") && wrongHost.raw().contains("www.elsewhere.test"), wrongHost.raw());
        // An expired one.
        var expiredKey = TestCertificates.ecKeyPair();
        TestCertificates.Issued expired = intermediate.leaf(expiredKey, Instant.now().minus(Duration.ofDays(100)),
                Instant.now().minus(Duration.ofDays(10)), hostname);
        var expiredAnswer = cloudplane.call("PUT", certificatePath, owner, Map.of("certificate", expired.chainPem(intermediate),
                "privateKey", expired.privateKeyPem()));
        assertEquals(400, expiredAnswer.status(), expiredAnswer.raw());
        assertTrue(expiredAnswer.raw().toLowerCase().contains("expired"), expiredAnswer.raw());
        // A chain out of order (intermediate first).
        var outOfOrder = cloudplane.call("PUT", certificatePath, owner, Map.of("certificate", intermediate.chainPem(leaf),
                "privateKey", leaf.privateKeyPem()));
        assertEquals(400, outOfOrder.status(), outOfOrder.raw());
        var unchanged = cloudplane.call("GET", domainPath, owner, null);
        assertEquals(before.<Object>get("certificate"), unchanged.<Object>get("certificate"), "a refusal changes nothing");

        // The right one: stored, shown without its key, and served at the next handshake.
        var uploaded = cloudplane.call("PUT", certificatePath, owner, Map.of("certificate", chain, "privateKey", leaf.privateKeyPem()));
        assertEquals(200, uploaded.status(), uploaded.raw());
        assertEquals("UPLOADED", uploaded.get("certificate.source"), uploaded.raw());
        assertEquals("ACTIVE", uploaded.get("status"), uploaded.raw());
        assertTrue(uploaded.<String>get("certificate.issuer").contains("Upload Test Intermediate"), uploaded.raw());
        assertFalse(uploaded.raw().contains("PRIVATE KEY"), "the key is never shown again: " + uploaded.raw());
        SSLContext trustsUploadRoot = TlsProbe.trusting(TestCertificates.pem(root.certificate()));
        var served = await("the uploaded certificate to be served").atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .pollInterval(Duration.ofMillis(100))
                .until(() -> TlsProbe.get(trustsUploadRoot, hostname, tlsPort, "/_identity"), a -> a.status() == 200);
        assertEquals(leaf.certificate().getSerialNumber(), served.leaf().getSerialNumber(), "the uploaded leaf is served");
    }
}
