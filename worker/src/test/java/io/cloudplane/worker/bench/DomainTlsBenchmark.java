package io.cloudplane.worker.bench;

import io.cloudplane.api.gateway.GatewayServer;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.domain.DomainRecord;
import io.cloudplane.infra.domain.DomainRepository;
import io.cloudplane.infra.domain.SelfSignedCertificates;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.workflows.domain.CertificateSource;
import io.cloudplane.workflows.domain.DomainStatus;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.context.ApplicationContext;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./mvnw -Pbench ... exec:exec@run-domain-tls-benchmark}: issue 15's figure for the gateway's
 * HTTPS listener, full TLS handshakes per second (no session resumption: each client session is
 * invalidated after its handshake), with 1 custom domain in the database and then with
 * {@code bench.tls.domains} (10,000). The gateway runs in this process with the embedded PostgreSQL;
 * the rows share one certificate made once (the client trusts any), but each host name gets its own
 * TLS context. With 10,000, the clients' SNI names go round all of them, after a warm-up pass that
 * makes every context once (the "loaded" state); then rounds with one host and with all of them
 * alternate. {@code bench.tls.threads} (2) client threads,
 * {@code bench.tls.rounds} (3) rounds of {@code bench.tls.seconds} (10) per case, median. The
 * target: 10,000 domains not slower than 1 (at least 0.8× within this machine's noise).
 */
public final class DomainTlsBenchmark {
    private DomainTlsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int domainCount = Integer.getInteger("bench.tls.domains", 10_000);
        int threads = Integer.getInteger("bench.tls.threads", 2);
        int rounds = Integer.getInteger("bench.tls.rounds", 3);
        int seconds = Integer.getInteger("bench.tls.seconds", 10);
        Path dataDir = Files.createTempDirectory("cloudplane-bench-tls");
        int failed;
        Map<String, Object> properties = new java.util.HashMap<>(Map.of("cloudplane.metrics.enabled", false));
        properties.putAll(Map.of(
                "cloudplane.data-dir", dataDir.toString(),
                "micronaut.server.port", -1,
                "cloudplane.gateway.port", 0,
                "cloudplane.gateway.tls-port", 0,
                "cloudplane.reconcile.enabled", false,
                "cloudplane.embedded.temporal.port", 0,
                "cloudplane.embedded.postgres.port", 0,
                "cloudplane.sandbox.recovery.enabled", false,
                "cloudplane.backup.recovery.enabled", false,
                "cloudplane.promotion.recovery.enabled", false));
        try (ApplicationContext ctx = ApplicationContext.run(properties)) {
            int port = ctx.getBean(GatewayServer.class).tlsPort();
            DomainRepository domains = ctx.getBean(DomainRepository.class);
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            UserRecord user = ctx.getBean(UserRepository.class).save(new UserRecord(UUID.randomUUID(), "bench@example.com", "B", "M", now));
            AppRecord app = ctx.getBean(AppRepository.class).save(new AppRecord(UUID.randomUUID(), user.id(), "bench",
                    AppRecord.AppKind.APPLICATION, AppRecord.AppStatus.ACTIVE, now, now));
            UUID envId = UUID.randomUUID();
            ctx.getBean(EnvironmentRepository.class).save(new EnvironmentRecord(envId, app.id(), "production",
                    EnvironmentRecord.EnvironmentType.PRODUCTION, null, EnvironmentStatus.RUNNING, null, "1.1.0", null, null,
                    EnvironmentRecord.databaseNameFor(envId), null, now, now));
            SelfSignedCertificates.Made certificate = SelfSignedCertificates.forHosts("*.bench.example.com");
            String sealedKey = ctx.getBean(SecretBox.class).encrypt(certificate.keyPem());
            List<String> hosts = new ArrayList<>();
            for (int i = 0; i < domainCount; i++) {
                hosts.add("d" + i + ".bench.example.com");
            }
            domains.save(row(app.id(), envId, hosts.get(0), certificate, sealedKey, now));

            System.out.printf("%nTLS handshakes at the gateway's HTTPS listener: %d client threads, %d rounds of %d s per case, %s, %d cores%n",
                    threads, rounds, seconds, System.getProperty("java.vm.name") + " " + Runtime.version(),
                    Runtime.getRuntime().availableProcessors());
            handshakes(port, hosts.subList(0, 1), threads, 2 * seconds); // warm-up
            List<Double> one = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                one.add(handshakes(port, hosts.subList(0, 1), threads, seconds));
            }

            long load = System.nanoTime();
            List<DomainRecord> batch = new ArrayList<>();
            for (int i = 1; i < domainCount; i++) {
                batch.add(row(app.id(), envId, hosts.get(i), certificate, sealedKey, now));
                if (batch.size() == 1000 || i == domainCount - 1) {
                    domains.saveAll(batch);
                    batch.clear();
                }
            }
            long warm = System.nanoTime();
            List<Thread> warming = new ArrayList<>();
            for (int t = 0; t < threads; t++) { // every host's context made once: 10,000 loaded
                List<String> slice = hosts.subList(t * domainCount / threads, (t + 1) * domainCount / threads);
                Thread w = new Thread(() -> {
                    try {
                        SSLContext context = context();
                        for (String host : slice) {
                            handshake(context, port, host);
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                w.start();
                warming.add(w);
            }
            for (Thread w : warming) {
                w.join();
            }
            long warmed = System.nanoTime();
            System.gc();
            long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            System.out.printf("loaded %d domains: rows in %d ms, first handshake of each (its context built) in %d ms; heap used after GC %d MiB%n",
                    domainCount, (warm - load) / 1_000_000, (warmed - warm) / 1_000_000, heap / (1024 * 1024));
            List<Double> many = new ArrayList<>();
            List<Double> oneOfMany = new ArrayList<>(); // the same JIT state as the 10,000 case: one host among 10,000
            for (int r = 0; r < rounds; r++) {
                oneOfMany.add(handshakes(port, hosts.subList(0, 1), threads, seconds));
                many.add(handshakes(port, hosts, threads, seconds));
            }
            double m1 = median(one);
            double mN = median(many);
            System.out.println();
            System.out.println("| domains loaded | full handshakes/s, median (rounds) |");
            System.out.println("|---|---|");
            System.out.printf("| 1 | %.0f (%s) |%n", m1, rounds(one));
            System.out.printf("| %,d, SNI always the same one (alternating with the next row) | %.0f (%s) |%n", domainCount,
                    median(oneOfMany), rounds(oneOfMany));
            System.out.printf("| %,d, SNI round all of them | %.0f (%s) |%n", domainCount, mN, rounds(many));
            System.out.printf("ratio %,d / 1: %.2f%n", domainCount, mN / m1);
            failed = mN < 0.8 * Math.max(m1, median(oneOfMany)) ? 1 : 0;
            if (failed == 1) {
                System.out.println("FAILED: handshakes with " + domainCount + " domains are slower than 0.8x those with 1");
            }
        } finally {
            io.cloudplane.infra.files.FileTrees.delete(dataDir);
        }
        System.exit(failed);
    }

    private static DomainRecord row(UUID appId, UUID envId, String host, SelfSignedCertificates.Made certificate, String sealedKey,
                                    Instant now) {
        return new DomainRecord(UUID.randomUUID(), appId, envId, host, DomainStatus.ACTIVE, "bench", null, now, now, now, "bench", now,
                null, CertificateSource.UPLOADED, certificate.chainPem(), sealedKey, "CN=bench",
                certificate.certificate().getNotBefore().toInstant(), certificate.certificate().getNotAfter().toInstant(), now,
                null, null, null);
    }

    /** Handshakes per second over {@code seconds}, {@code threads} clients each going round {@code hosts} from its own offset. */
    private static double handshakes(int port, List<String> hosts, int threads, int seconds) throws Exception {
        AtomicLong count = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t * (hosts.size() / threads);
            Thread client = new Thread(() -> {
                try {
                    SSLContext context = context();
                    int i = offset;
                    while (System.nanoTime() < end) {
                        try {
                            handshake(context, port, hosts.get(i++ % hosts.size()));
                            count.incrementAndGet();
                        } catch (Exception e) {
                            if (errors.incrementAndGet() == 1) {
                                System.out.println("handshake failed: " + e);
                            }
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "tls-client-" + t);
            client.start();
            clients.add(client);
        }
        for (Thread client : clients) {
            client.join();
        }
        if (errors.get() > 0) {
            throw new IllegalStateException(errors.get() + " handshakes failed");
        }
        return count.get() / (double) seconds;
    }

    /** One full handshake naming {@code host}; the session is invalidated so that the next one cannot resume it. */
    private static void handshake(SSLContext context, int port, String host) throws Exception {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(host)));
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            socket.getSession().invalidate();
        }
    }

    private static SSLContext context() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[]{new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        context.getClientSessionContext().setSessionCacheSize(1);
        return context;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String rounds(List<Double> values) {
        return String.join(", ", values.stream().map(v -> String.format("%.0f", v)).toList());
    }
}
