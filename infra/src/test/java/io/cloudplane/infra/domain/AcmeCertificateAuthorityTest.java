package io.cloudplane.infra.domain;

import com.sun.net.httpserver.HttpServer;
import io.cloudplane.infra.crypto.SecretBox;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Against Pebble: a JDK HTTP server on 127.0.0.1 plays the gateway's port 80 (answering challenges
 * from {@code acme_challenges} as the gateway does), and Pebble's DNS test server sends the test
 * hosts there.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AcmeCertificateAuthorityTest implements TestPropertyProvider {
    private PebbleServers pebble;
    private HttpServer gateway;
    private final AtomicBoolean answerChallenges = new AtomicBoolean(true);
    private volatile AcmeChallengeRepository challengeSource;

    @Inject AcmeCertificateAuthority authority;
    @Inject AcmeChallengeRepository challenges;
    @Inject AcmeAccountRepository accounts;
    @Inject SecretBox secrets;
    @Inject Certificates certificates;

    @Override
    public Map<String, String> getProperties() {
        try {
            gateway = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        gateway.createContext(AcmeChallengeRecord.PATH_PREFIX, exchange -> {
            String token = exchange.getRequestURI().getPath().substring(AcmeChallengeRecord.PATH_PREFIX.length());
            String host = exchange.getRequestHeaders().getFirst("Host").replaceFirst(":\\d+$", "");
            var live = answerChallenges.get() ? challengeSource.findLive(token, host, Instant.now()) : java.util.Optional.<AcmeChallengeRecord>empty();
            byte[] body = live.map(AcmeChallengeRecord::keyAuthorization).orElse("no such challenge").getBytes(StandardCharsets.US_ASCII);
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(live.isPresent() ? 200 : 404, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        gateway.start();
        pebble = PebbleServers.start(gateway.getAddress().getPort());
        return Map.of("cloudplane.domain.acme-directory", pebble.directoryUrl(),
                "cloudplane.domain.acme-trust-pem", pebble.trustPemFile().toString(),
                "cloudplane.domain.acme-contact", "certificates@cloudplane.test",
                "cloudplane.domain.caa-identities", "pebble.test");
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.stop(0);
        }
        if (pebble != null) {
            pebble.close();
        }
    }

    private List<AcmeChallengeRecord> challengesFor(String host) {
        return StreamSupport.stream(challenges.findAll().spliterator(), false).filter(c -> c.hostname().equals(host)).toList();
    }

    @Test
    void issuesACertificateChainingToPebblesRootWithOneAccountReused() throws Exception {
        challengeSource = challenges;
        answerChallenges.set(true);
        String host = "shop.acme-ok.example.test";
        pebble.addA(host, "127.0.0.1");
        AtomicInteger progress = new AtomicInteger();

        IssuedCertificate issued = authority.issue(host, progress::incrementAndGet);

        // the key matches, the leaf covers the host and is valid now, the chain is in order
        certificates.checkUpload(host, issued.chainPem(), issued.privateKeyPem(), Instant.now());
        assertTrue(issued.privateKeyPem().startsWith("-----BEGIN PRIVATE KEY-----"));
        List<X509Certificate> chain = PemCertificates.parseChain(issued.chainPem());
        X509Certificate root = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pebble.roots().getBytes(StandardCharsets.US_ASCII)));
        chain.get(chain.size() - 1).verify(root.getPublicKey());
        assertEquals(List.of(host), issued.facts().dnsNames());
        assertTrue(issued.facts().issuer().startsWith("Pebble Intermediate CA"), issued.facts().issuer());
        assertTrue(progress.get() >= 1);
        assertEquals(List.of(), challengesFor(host), "challenge rows are deleted once the authority decided");

        AcmeAccountRecord account = accounts.findById(pebble.directoryUrl()).orElseThrow();
        assertNotNull(account.accountUrl());
        assertFalse(account.keyPairSealed().contains("PRIVATE KEY"), "the account key is stored sealed");
        assertTrue(secrets.decrypt(account.keyPairSealed()).contains("PRIVATE KEY"));

        String second = "www.acme-ok.example.test";
        pebble.addA(second, "127.0.0.1");
        authority.issue(second, () -> { });
        assertEquals(1, StreamSupport.stream(accounts.findAll().spliterator(), false)
                .filter(a -> a.directoryUrl().equals(pebble.directoryUrl())).count());
        assertEquals(account, accounts.findById(pebble.directoryUrl()).orElseThrow(), "the same account, not a new one");
    }

    @Test
    void aChallengeNobodyAnswersIsRefusedWithPebblesWords() {
        challengeSource = challenges;
        // an address where nothing listens on the HTTP port: Pebble's connection is refused
        String refused = "shop.acme-refused.example.test";
        pebble.addA(refused, "127.0.0.2");
        CertificateRefusedException connection = assertThrows(CertificateRefusedException.class, () -> authority.issue(refused, () -> { }));
        assertFalse(connection.retryable());
        assertTrue(connection.getMessage().startsWith("The certificate authority (" + pebble.directoryUrl() + ") refused the certificate for "
                + refused + ": "), connection.getMessage());
        assertTrue(connection.getMessage().contains("connection refused") || connection.getMessage().contains("Connection refused"),
                connection.getMessage());
        assertTrue(connection.getMessage().endsWith("(connection)"), connection.getMessage());
        assertEquals(List.of(), challengesFor(refused));

        // the gateway answers, but 404: the authority says so
        answerChallenges.set(false);
        try {
            String notFound = "shop.acme-404.example.test";
            pebble.addA(notFound, "127.0.0.1");
            CertificateRefusedException unauthorized = assertThrows(CertificateRefusedException.class, () -> authority.issue(notFound, () -> { }));
            assertFalse(unauthorized.retryable());
            assertTrue(unauthorized.getMessage().contains("404"), unauthorized.getMessage());
            assertTrue(unauthorized.getMessage().contains(AcmeChallengeRecord.PATH_PREFIX), unauthorized.getMessage());
            assertEquals(List.of(), challengesFor(notFound));
        } finally {
            answerChallenges.set(true);
        }
    }

    @Test
    void anUnreachableDirectoryIsRetryable() {
        DomainSettings unreachable = new DomainSettings("https://127.0.0.1:" + PebbleServers.freePort() + "/dir", null,
                pebble.trustPemFile().toString(), List.of(), List.of(), 20, java.time.Duration.ofDays(7), java.time.Duration.ofSeconds(5),
                java.time.Duration.ofHours(1), java.time.Duration.ofDays(30), java.time.Duration.ofDays(14));
        AcmeCertificateAuthority nowhere = new AcmeCertificateAuthority(unreachable, accounts, challenges, secrets, certificates);
        CertificateRefusedException refused = assertThrows(CertificateRefusedException.class, () -> nowhere.issue("shop.example.test", () -> { }));
        assertTrue(refused.retryable(), refused.getMessage());
        assertTrue(refused.getMessage().startsWith("Could not reach the certificate authority at "), refused.getMessage());
    }

    /** Pebble 2.4's certificateValidityPeriod (PebbleServers.start(port, validity)): what renewal tests use. */
    @Test
    void pebbleIssuesShortLivedCertificatesWhenAsked() {
        challengeSource = challenges;
        try (PebbleServers shortLived = PebbleServers.start(gateway.getAddress().getPort(), java.time.Duration.ofMinutes(2))) {
            DomainSettings settings = new DomainSettings(shortLived.directoryUrl(), null, shortLived.trustPemFile().toString(), List.of(),
                    List.of(), 20, java.time.Duration.ofDays(7), java.time.Duration.ofSeconds(5), java.time.Duration.ofHours(1),
                    java.time.Duration.ofDays(30), java.time.Duration.ofDays(14));
            String host = "shop.acme-short.example.test";
            shortLived.addA(host, "127.0.0.1");
            IssuedCertificate issued = new AcmeCertificateAuthority(settings, accounts, challenges, secrets, certificates).issue(host, () -> { });
            java.time.Duration validity = java.time.Duration.between(issued.facts().notBefore(), issued.facts().notAfter());
            assertTrue(validity.compareTo(java.time.Duration.ofMinutes(3)) < 0 && validity.compareTo(java.time.Duration.ofMinutes(1)) > 0,
                    validity.toString());
        }
    }

    @Test
    void theCaaIdentitiesComeFromTheDirectoryElseTheSettings() {
        // Pebble's directory names no CAA identities: the configured ones stand in
        assertEquals(List.of("pebble.test"), authority.caaIdentities());
        assertTrue(authority.configured());
    }
}
