package io.cloudplane.worker;

import io.cloudplane.infra.domain.PebbleServers;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15 end to end, against real servers on loopback: Debian's Pebble (Let's Encrypt's test ACME
 * server) and its DNS test server, which holds the test's records and which both Cloudplane's resolver
 * and Pebble ask. A domain is added and its records shown; without the TXT record the check says it is
 * missing; once the test sets it the domain becomes VERIFIED then ACTIVE with Pebble's certificate,
 * Pebble having fetched its HTTP-01 challenge through the gateway; a TLS client that trusts Pebble's
 * root reaches the environment's app with that SNI; the renewal timer replaces it before it expires (2-minute
 * certificates); HTTP is redirected; an uploaded certificate
 * replaces Pebble's and is served without a restart; a removed domain is served no more.
 */
class DomainIT {
    private static final String PASSWORD = "correct-horse-battery";

    @SuppressWarnings("unchecked")
    private static Map<String, Object> record(AllInOne.Response domain, String type) {
        return ((List<Map<String, Object>>) domain.body().get("records")).stream()
                .filter(r -> type.equals(r.get("type"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " record in " + domain.raw()));
    }

    /** Emails in the outbox whose subject says that the certificate of {@code host} expires. */
    private static long expiryEmails(Path outbox, String host) throws IOException {
        if (!Files.isDirectory(outbox)) {
            return 0;
        }
        try (var files = Files.list(outbox)) {
            return files.filter(f -> f.toString().endsWith(".eml")).filter(f -> {
                try {
                    String unfolded = Files.readString(f).replaceAll("\r?\n[ \t]+", " "); // a long Subject is folded
                    return unfolded.lines().anyMatch(l -> l.startsWith("Subject: ") && l.contains(host) && l.contains("expires"));
                } catch (IOException e) {
                    return false;
                }
            }).count();
        }
    }

    @Test
    void aDomainIsVerifiedByItsDnsGetsPebblesCertificateAndIsServedOverHttpsBySni() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "domain-").toAbsolutePath();
        int gatewayPort = AllInOne.freePort();
        int tlsPort = AllInOne.freePort();
        // Pebble's certificates last 2 minutes and Cloudplane renews 105 s before expiry: a renewal 15 s after each issue.
        try (PebbleServers pebble = PebbleServers.start(gatewayPort, Duration.ofMinutes(2));
             AllInOne cloudplane = new AllInOne(dataDir, Map.of(
                     "CLOUDPLANE_GATEWAY_PORT", Integer.toString(gatewayPort),
                     "CLOUDPLANE_GATEWAY_TLS_PORT", Integer.toString(tlsPort),
                     "CLOUDPLANE_DNS_RESOLVER", pebble.dnsResolver(),
                     "CLOUDPLANE_DOMAIN_ACME_DIRECTORY", pebble.directoryUrl(),
                     "CLOUDPLANE_DOMAIN_ACME_TRUST_PEM", pebble.trustPemFile().toString(),
                     "CLOUDPLANE_DOMAIN_ADDRESSES", "127.0.0.1",
                     "CLOUDPLANE_DOMAIN_CHECK_INTERVAL_MIN", "1s",
                     "CLOUDPLANE_DOMAIN_CHECK_INTERVAL_MAX", "2s",
                     "CLOUDPLANE_DOMAIN_RENEW_BEFORE", "105s",
                     "CLOUDPLANE_DOMAIN_EXPIRY_NOTICE_BEFORE", "30s"))) {
            cloudplane.start();
            String owner = cloudplane.signUp("dora", "Dora", "Domains");
            var app = cloudplane.call("POST", "/api/v1/apps", owner, Map.of("name", "shop"));
            assertEquals(202, app.status(), app.raw());
            String appId = app.get("id");
            String devId = app.get("operation.envId");
            var production = cloudplane.call("POST", "/api/v1/apps/" + appId + "/environments", owner,
                    Map.of("name", "production", "type", "production"));
            assertEquals("SUCCEEDED", cloudplane.awaitCreated(app, owner, Duration.ofSeconds(90)).get("status"));
            assertEquals("SUCCEEDED", cloudplane.awaitCreated(production, owner, Duration.ofSeconds(90)).get("status"));
            String prodPath = "/api/v1/apps/" + appId + "/environments/" + production.get("id");
            String gatewayHost = java.net.URI.create(cloudplane.call("GET", prodPath, owner, null).<String>get("urls.preview")).getHost();

            // Development has no custom domains.
            var onDevelopment = cloudplane.call("POST", "/api/v1/apps/" + appId + "/environments/" + devId + "/domains", owner,
                    Map.of("hostname", "dev.shop-" + UUID.randomUUID().toString().substring(0, 8) + ".test"));
            assertEquals(422, onDevelopment.status(), onDevelopment.raw());

            String hostname = "www.shop-" + UUID.randomUUID().toString().substring(0, 8) + ".test";
            var created = cloudplane.call("POST", prodPath + "/domains", owner, Map.of("hostname", hostname.toUpperCase() + "."));
            assertEquals(201, created.status(), created.raw());
            assertEquals(hostname, created.get("hostname"), "stored lower case, without the trailing dot");
            assertEquals("PENDING_VERIFICATION", created.get("status"));
            String domainPath = prodPath + "/domains/" + created.get("id");
            Map<String, Object> txt = record(created, "TXT");
            assertEquals("_cloudplane-challenge." + hostname, txt.get("name"));
            String token = (String) txt.get("value");
            assertNotNull(token);
            Map<String, Object> cname = record(created, "CNAME");
            assertEquals(hostname, cname.get("name"));
            assertEquals(gatewayHost, cname.get("value"), "the CNAME points at the environment's gateway host");
            var again = cloudplane.call("POST", prodPath + "/domains", owner, Map.of("hostname", hostname));
            assertEquals(409, again.status(), "a host name is unique across Cloudplane: " + again.raw());

            // No TXT record yet: the check says so, in words.
            var missing = await("a check that finds no TXT record").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> cloudplane.call("GET", domainPath, owner, null),
                            d -> d.get("lastCheck.result") != null && d.<String>get("lastCheck.result").contains("_cloudplane-challenge." + hostname));
            assertEquals("PENDING_VERIFICATION", missing.get("status"), missing.raw());
            assertTrue(missing.<String>get("lastCheck.result").toLowerCase().contains("no txt record")
                    || missing.<String>get("lastCheck.result").toLowerCase().contains("missing"), missing.raw());

            // The owner sets the records; a check now makes it VERIFIED, then ACTIVE with Pebble's certificate.
            pebble.addA(hostname, "127.0.0.1");
            pebble.setTxt("_cloudplane-challenge." + hostname, token);
            long recordsSet = System.nanoTime();
            var verify = cloudplane.call("POST", domainPath + "/verify", owner, null);
            assertEquals(202, verify.status(), verify.raw());
            var active = await("the domain to be ACTIVE").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                    .until(() -> cloudplane.call("GET", domainPath, owner, null),
                            d -> "ACTIVE".equals(d.get("status")) || "FAILED".equals(d.get("status")));
            assertEquals("ACTIVE", active.get("status"), active.raw());
            System.out.printf("DomainIT: records set to ACTIVE in %d ms%n", (System.nanoTime() - recordsSet) / 1_000_000);
            assertEquals("ACME", active.get("certificate.source"), active.raw());
            assertTrue(active.<String>get("certificate.issuer").toLowerCase().contains("pebble"), active.raw());
            assertNotNull(active.get("certificate.notAfter"), active.raw());
            assertTrue(!active.raw().contains("PRIVATE KEY"), "the key is never shown: " + active.raw());

            // A TLS client that trusts Pebble's roots reaches the app with that SNI.
            SSLContext trustsPebble = TlsProbe.trusting(pebble.roots());
            var served = await("the certificate served by SNI").atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> TlsProbe.get(trustsPebble, hostname, tlsPort, "/_identity"), a -> a.status() == 200);
            assertTrue(served.leaf().getIssuerX500Principal().getName().toLowerCase().contains("pebble"), served.leaf().toString());
            assertTrue(served.body().contains("\"forwardedProto\":\"https\""), "the server was told https: " + served.body());
            assertTrue(served.body().contains("\"forwardedHost\":\"" + hostname), "the server was told the custom host: " + served.body());

            // The timer renews it before it expires: a new certificate from Pebble, served at the next handshake.
            String firstNotAfter = active.get("certificate.notAfter");
            var renewed = await("the certificate's renewal").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> cloudplane.call("GET", domainPath, owner, null),
                            d -> "ACTIVE".equals(d.get("status")) && !firstNotAfter.equals(d.get("certificate.notAfter")));
            assertEquals("ACME", renewed.get("certificate.source"), renewed.raw());
            var servedRenewed = await("the renewed certificate served").atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> TlsProbe.get(trustsPebble, hostname, tlsPort, "/_identity"),
                            a -> a.status() == 200 && !a.leaf().getSerialNumber().equals(served.leaf().getSerialNumber()));
            assertTrue(servedRenewed.leaf().getNotAfter().after(served.leaf().getNotAfter()), "a later expiry");

            // Plain HTTP to an ACTIVE domain is redirected to HTTPS.
            var plain = GatewayClient.send("GET", "http://127.0.0.1:" + gatewayPort + "/shop?x=1", Map.of("Host", hostname + ":" + gatewayPort), null);
            assertTrue(plain.status() == 301 || plain.status() == 308, plain.status() + " " + plain.body());
            assertTrue(plain.location().startsWith("https://" + hostname), plain.location());
            assertTrue(plain.location().endsWith("/shop?x=1"), plain.location());

            UploadChecks.uploadReplacesPebblesCertificate(cloudplane, owner, domainPath, hostname, tlsPort);

            // An uploaded certificate close to its expiry (within CLOUDPLANE_DOMAIN_EXPIRY_NOTICE_BEFORE, 30 s here): the owner
            // gets one email about it, and nothing renews it.
            String soon = "soon.shop-" + UUID.randomUUID().toString().substring(0, 8) + ".test";
            var second = cloudplane.call("POST", prodPath + "/domains", owner, Map.of("hostname", soon));
            assertEquals(201, second.status(), second.raw());
            String secondPath = prodPath + "/domains/" + second.get("id");
            pebble.addA(soon, "127.0.0.1");
            pebble.setTxt("_cloudplane-challenge." + soon, (String) record(second, "TXT").get("value"));
            assertEquals(202, cloudplane.call("POST", secondPath + "/verify", owner, null).status());
            await("the second domain ACTIVE").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> cloudplane.call("GET", secondPath, owner, null), d -> "ACTIVE".equals(d.get("status")));
            io.cloudplane.infra.domain.TestCertificates.Issued ca = io.cloudplane.infra.domain.TestCertificates.root("Soon Root");
            var shortLived = ca.leaf(io.cloudplane.infra.domain.TestCertificates.ecKeyPair(), java.time.Instant.now().minusSeconds(60),
                    java.time.Instant.now().plusSeconds(25), soon);
            var uploadedSoon = cloudplane.call("PUT", secondPath + "/certificate", owner, Map.of("certificate", shortLived.chainPem(),
                    "privateKey", shortLived.privateKeyPem()));
            assertEquals(200, uploadedSoon.status(), uploadedSoon.raw());
            Path outbox = dataDir.resolve("outbox");
            await("the expiry email").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> expiryEmails(outbox, soon) == 1);
            Thread.sleep(3000);
            assertEquals(1, expiryEmails(outbox, soon), "one email per certificate");
            assertEquals("UPLOADED", cloudplane.call("GET", secondPath, owner, null).get("certificate.source"), "nothing renewed it");

            // Removed: no longer served, and its host name is free again.
            var deleted = cloudplane.call("DELETE", domainPath, owner, null);
            assertEquals(204, deleted.status(), deleted.raw());
            await("the domain to be served no more").atMost(Duration.ofSeconds(10)).until(() -> {
                try {
                    TlsProbe.get(trustsPebble, hostname, tlsPort, "/_identity");
                    return false;
                } catch (SSLException | java.net.SocketException e) {
                    return true;
                } catch (IOException e) {
                    return true;
                }
            });
            assertEquals(404, cloudplane.call("GET", domainPath, owner, null).status());
        }
    }
}
