package io.cloudplane.api.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cloudplane.infra.app.AppListChanges;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.domain.DomainRecord;
import io.cloudplane.infra.domain.DomainRepository;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.scheduling.TaskExecutors;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.AsyncMapping;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * Custom domains as the gateway sees them: each domain's row by host name, and the TLS context of
 * each domain whose certificate is served, chosen by SNI ({@link #map}, the HTTPS listener's
 * {@code SniHandler} mapping).
 *
 * <p>Rows are kept with the {@link AppListChanges#routeGeneration() route generation} read before
 * they were read, like {@link GatewayAccess}'s places: any change of {@code domains}, by any process,
 * notifies {@code environment_changed} (V23) and moves it, so a kept row is used only while no
 * domain changed since. A TLS context is built once per certificate (keyed by host name, and
 * rebuilt when the row's certificate differs from the one it was built from), so a new certificate
 * is served from the next handshake after its row changed, without a restart. Both maps are
 * hashed by host name: choosing among 10,000 domains costs what choosing among one does. What is
 * not in memory (a row at an older generation, a context to build) is done on the blocking
 * executor, never on the event loop.
 */
@Singleton
public class GatewayDomains implements AsyncMapping<String, SslContext> {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayDomains.class);
    /** Host names of custom domains (and of hosts that are none) kept in memory; far above the domains one control plane serves. */
    private static final int KEPT = 200_000;

    private final DomainRepository domains;
    private final AppListChanges changes;
    private final SecretBox secrets;
    private final ExecutorService blocking;

    private record Kept(long generation, Optional<DomainRecord> domain) {
    }

    /** A TLS context and the certificate it was built from. */
    private record Served(String certificate, @Nullable Instant installedAt, SslContext context) {
        boolean builtFrom(DomainRecord domain) {
            return Objects.equals(installedAt, domain.certificateInstalledAt()) && certificate.equals(domain.certificateChainPem());
        }
    }

    private final Cache<String, Kept> rows = Caffeine.newBuilder().maximumSize(KEPT).build();
    private final Cache<String, Served> contexts = Caffeine.newBuilder().maximumSize(KEPT).build();

    public GatewayDomains(DomainRepository domains, AppListChanges changes, SecretBox secrets,
                          @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
        this.domains = domains;
        this.changes = changes;
        this.secrets = secrets;
        this.blocking = blocking;
    }

    /** The domain of a bare host name as kept at {@code generation}, or null when none is kept at that generation. */
    @Nullable
    Optional<DomainRecord> kept(String host, long generation) {
        Kept kept = rows.getIfPresent(host);
        return kept != null && kept.generation() == generation && generation != AppListChanges.UNKNOWN ? kept.domain() : null;
    }

    /** Reads the domain of a bare host name (blocking), kept with {@code generation}, which was read before. */
    Optional<DomainRecord> read(String host, long generation) {
        Optional<DomainRecord> domain = domains.findByHostname(host);
        if (generation != AppListChanges.UNKNOWN) {
            rows.put(host, new Kept(generation, domain));
        }
        return domain;
    }

    // ---- SNI

    /**
     * The TLS context for an SNI host name: that domain's certificate when it is served
     * ({@link io.cloudplane.workflows.domain.DomainStatus#servesCertificate()}), else a failed
     * handshake (no SNI, an unknown host, or a domain without a served certificate: there is no
     * default certificate).
     */
    @Override
    public Future<SslContext> map(@Nullable String sniHost, Promise<SslContext> promise) {
        String host = HostNames.bare(sniHost);
        if (host == null) {
            return promise.setFailure(new SSLHandshakeException("The client named no host (SNI): no certificate is served without one"));
        }
        long generation = changes.routeGeneration();
        Optional<DomainRecord> domain = kept(host, generation);
        if (domain != null) {
            if (domain.isEmpty() || !serves(domain.get())) {
                return promise.setFailure(notServed(host));
            }
            Served served = contexts.getIfPresent(host);
            if (served != null && served.builtFrom(domain.get())) {
                return promise.setSuccess(served.context());
            }
        }
        try {
            blocking.execute(() -> {
                try {
                    promise.trySuccess(context(host, generation));
                } catch (Exception | Error e) {
                    promise.tryFailure(e);
                }
            });
        } catch (RuntimeException rejected) {
            promise.tryFailure(rejected);
        }
        return promise;
    }

    /** Blocking: the row (kept, else read) and its context (kept, else built and kept). */
    private SslContext context(String host, long generation) throws SSLException {
        Optional<DomainRecord> domain = kept(host, generation);
        if (domain == null) {
            domain = read(host, generation);
        }
        if (domain.isEmpty() || !serves(domain.get())) {
            contexts.invalidate(host);
            throw notServed(host);
        }
        Served served = contexts.getIfPresent(host);
        if (served == null || !served.builtFrom(domain.get())) {
            served = new Served(domain.get().certificateChainPem(), domain.get().certificateInstalledAt(), build(domain.get()));
            contexts.put(host, served);
            LOG.debug("TLS context of {} built (certificate installed at {})", host, served.installedAt());
        }
        return served.context();
    }

    private static boolean serves(DomainRecord domain) {
        return domain.status().servesCertificate() && domain.hasCertificate() && domain.certificateKeySealed() != null;
    }

    private static SSLHandshakeException notServed(String host) {
        return new SSLHandshakeException("No certificate is served for " + host);
    }

    /** A server context from the row's chain and its unsealed PKCS#8 key; ALPN offers HTTP/1.1 only, the one protocol the gateway speaks. */
    private SslContext build(DomainRecord domain) throws SSLException {
        byte[] chain = domain.certificateChainPem().getBytes(StandardCharsets.US_ASCII);
        byte[] key = secrets.decrypt(domain.certificateKeySealed()).getBytes(StandardCharsets.US_ASCII);
        try {
            return SslContextBuilder.forServer(new ByteArrayInputStream(chain), new ByteArrayInputStream(key))
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_1_1))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new SSLException("The certificate or key of " + domain.hostname() + " cannot be used: " + e.getMessage(), e);
        }
    }
}
