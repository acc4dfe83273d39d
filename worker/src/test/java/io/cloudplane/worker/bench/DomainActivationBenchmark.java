package io.cloudplane.worker.bench;

import io.cloudplane.infra.domain.PebbleServers;
import io.cloudplane.worker.AllInOne;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;

/**
 * {@code ./mvnw -Pbench ... exec:exec@run-domain-activation-benchmark}: issue 15's first figure, the
 * time from a domain's DNS records being set to the domain being {@code ACTIVE}, against Debian's
 * Pebble and its DNS test server on loopback, through the packaged all-in-one.
 * <p>{@code bench.domains} (10) domains, one after the other, on one production environment: each is
 * added, its first check (no records yet) awaited, then its TXT and A records are set at the DNS test
 * server and the owner asks for a check ({@code POST …/verify}, as the console's button does). From the
 * moment the records are set: the time until the API shows {@code VERIFIED} (or later), and until it
 * shows {@code ACTIVE} (the ACME order, Pebble's HTTP-01 fetch through the gateway, the certificate
 * stored and served). Pebble runs with {@code PEBBLE_VA_NOSLEEP=1}; Let's Encrypt itself adds its own
 * validation and issuance time, which no figure here includes. The API is polled every 50 ms.
 * Without the verify request, the next background check would come within
 * {@code CLOUDPLANE_DOMAIN_CHECK_INTERVAL_MIN} doubling up to {@code …_MAX}: the second line of
 * figures measures that path with the defaults (5 s doubling to 1 h) for {@code bench.domains.background}
 * (3) domains whose records are set right after they are added.
 */
public final class DomainActivationBenchmark {
    private DomainActivationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int domains = Integer.getInteger("bench.domains", 10);
        int background = Integer.getInteger("bench.domains.background", 3);
        Path dataDir = Files.createTempDirectory("cloudplane-bench-domains-");
        int gatewayPort = AllInOne.freePort();
        try (PebbleServers pebble = PebbleServers.start(gatewayPort);
             AllInOne cloudplane = new AllInOne(dataDir, Map.of(
                     "CLOUDPLANE_GATEWAY_PORT", Integer.toString(gatewayPort),
                     "CLOUDPLANE_GATEWAY_TLS_PORT", Integer.toString(AllInOne.freePort()),
                     "CLOUDPLANE_DNS_RESOLVER", pebble.dnsResolver(),
                     "CLOUDPLANE_DOMAIN_ACME_DIRECTORY", pebble.directoryUrl(),
                     "CLOUDPLANE_DOMAIN_ACME_TRUST_PEM", pebble.trustPemFile().toString(),
                     "CLOUDPLANE_DOMAIN_ADDRESSES", "127.0.0.1"))) {
            cloudplane.start();
            String owner = cloudplane.signUp("bench-domains", "Bench", "Domains");
            var app = cloudplane.call("POST", "/api/v1/apps", owner, Map.of("name", "shop"));
            String appId = app.get("id");
            var production = cloudplane.call("POST", "/api/v1/apps/" + appId + "/environments", owner,
                    Map.of("name", "production", "type", "production"));
            require("SUCCEEDED".equals(cloudplane.awaitCreated(production, owner, Duration.ofSeconds(120)).get("status")),
                    "production was not created: " + production.raw());
            String prodPath = "/api/v1/apps/" + appId + "/environments/" + production.get("id");

            List<Long> toVerified = new ArrayList<>();
            List<Long> toActive = new ArrayList<>();
            for (int i = 0; i < domains + 1; i++) { // the first is a warm-up (class loading, the ACME account)
                String hostname = "www" + i + ".bench-" + UUID.randomUUID().toString().substring(0, 8) + ".test";
                var created = cloudplane.call("POST", prodPath + "/domains", owner, Map.of("hostname", hostname));
                require(created.status() == 201, created.raw());
                String path = prodPath + "/domains/" + created.get("id");
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                        .until(() -> cloudplane.call("GET", path, owner, null).get("lastCheck.at") != null);
                long[] times = activate(cloudplane, pebble, owner, path, hostname, tokenOf(created), true);
                if (i > 0) {
                    toVerified.add(times[0]);
                    toActive.add(times[1]);
                }
            }
            List<Long> backgroundActive = new ArrayList<>();
            for (int i = 0; i < background; i++) {
                String hostname = "bg" + i + ".bench-" + UUID.randomUUID().toString().substring(0, 8) + ".test";
                var created = cloudplane.call("POST", prodPath + "/domains", owner, Map.of("hostname", hostname));
                require(created.status() == 201, created.raw());
                backgroundActive.add(activate(cloudplane, pebble, owner, prodPath + "/domains/" + created.get("id"), hostname,
                        tokenOf(created), false)[1]);
            }
            System.out.println();
            System.out.println("Custom domains: from the records set to ACTIVE, against Pebble (" + domains + " domains, after one warm-up)");
            System.out.println("  with POST …/verify      : to VERIFIED " + summary(toVerified) + "; to ACTIVE " + summary(toActive));
            System.out.println("  background checks only  : to ACTIVE " + summary(backgroundActive) + " (" + background
                    + " domains, records set right after the domain was added; default back-off from 5 s)");
        } finally {
            io.cloudplane.infra.files.FileTrees.delete(dataDir);
        }
    }

    @SuppressWarnings("unchecked")
    private static String tokenOf(AllInOne.Response created) {
        return (String) ((List<Map<String, Object>>) created.body().get("records")).stream()
                .filter(r -> "TXT".equals(r.get("type"))).findFirst().orElseThrow().get("value");
    }

    private static long[] activate(AllInOne cloudplane, PebbleServers pebble, String owner, String path, String hostname, String token,
                                   boolean verifyNow) throws Exception {
        pebble.addA(hostname, "127.0.0.1");
        pebble.setTxt("_cloudplane-challenge." + hostname, token);
        long set = System.nanoTime();
        if (verifyNow) {
            var verify = cloudplane.call("POST", path + "/verify", owner, null);
            require(verify.status() == 202, verify.raw());
        }
        long verified = -1;
        while (true) {
            var domain = cloudplane.call("GET", path, owner, null);
            String status = domain.get("status");
            long elapsed = (System.nanoTime() - set) / 1_000_000;
            if (verified < 0 && !"PENDING_VERIFICATION".equals(status)) {
                verified = elapsed;
            }
            if ("ACTIVE".equals(status)) {
                return new long[] {verified, elapsed};
            }
            require(!"FAILED".equals(status), "domain failed: " + domain.raw());
            require(elapsed < 120_000, "not ACTIVE within 120 s: " + domain.raw());
            Thread.sleep(50);
        }
    }

    private static String summary(List<Long> millis) {
        List<Long> sorted = millis.stream().sorted().toList();
        return "median " + sorted.get(sorted.size() / 2) + " ms (min " + sorted.get(0) + ", max " + sorted.get(sorted.size() - 1) + ")";
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }
}
