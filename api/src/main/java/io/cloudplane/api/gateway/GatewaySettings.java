package io.cloudplane.api.gateway;

import io.cloudplane.api.security.AddressBlock;
import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;
import java.util.List;

/**
 * {@code cloudplane.gateway.*}: the access gateway that every way into an environment goes through.
 * <ul>
 *   <li>{@code enabled}: whether an API process serves it (default true);</li>
 *   <li>{@code port} and {@code bind-address}: its HTTP listener (default {@code 8081} on
 *       {@code 127.0.0.1}; port {@code 0} picks a free one);</li>
 *   <li>{@code base-domain}: environments' hosts are {@code <label>.<base-domain>} and
 *       {@code studio-<label>.<base-domain>} (default {@code localhost}, whose subdomains resolve
 *       to the loopback address);</li>
 *   <li>{@code public-scheme} and {@code public-port}: how people reach it, for the URLs the API
 *       shows (default {@code http} and the listener's own port; set them when a load balancer
 *       terminates TLS in front of it; 80 for http and 443 for https are left out of URLs);</li>
 *   <li>{@code trusted-proxies}: addresses or CIDR blocks (the CDN, WAF or load balancer) whose
 *       {@code X-Forwarded-For}, {@code -Proto} and {@code -Host} are believed; from anyone else they
 *       are replaced;</li>
 *   <li>{@code wake-wait}: how long a Studio request to a sleeping sandbox is held while it wakes
 *       (default 30s), after which a browser gets a "waking up" page that reloads itself;</li>
 *   <li>{@code session-lifetime}: how long a browser's sign-in at a host lasts (default 12h);</li>
 *   <li>{@code studio-access-interval}: Studio use is recorded at most once per environment per this
 *       interval (default 1m), or per tenth of the sandbox idle period when that is shorter;</li>
 *   <li>{@code threads}: the gateway's event-loop threads (default 0: twice the processors);</li>
 *   <li>{@code tls-enabled}, {@code tls-port}: its HTTPS listener for custom domains (default true and
 *       {@code 8443}, on the same bind address; port {@code 0} picks a free one), which picks each
 *       domain's certificate by SNI;</li>
 *   <li>{@code public-tls-port}: the port people reach that listener on, for https URLs and the
 *       redirects from http (default the listener's own; 443 when a load balancer maps 443 to it).</li>
 * </ul>
 */
@ConfigurationProperties("cloudplane.gateway")
public record GatewaySettings(
        @Bindable(defaultValue = "true") boolean enabled,
        @Bindable(defaultValue = "8081") int port,
        @Bindable(defaultValue = "127.0.0.1") String bindAddress,
        @Bindable(defaultValue = "localhost") String baseDomain,
        @Bindable(defaultValue = "http") String publicScheme,
        @Nullable Integer publicPort,
        @Nullable List<String> trustedProxies,
        @Bindable(defaultValue = "30s") Duration wakeWait,
        @Bindable(defaultValue = "12h") Duration sessionLifetime,
        @Bindable(defaultValue = "1m") Duration studioAccessInterval,
        @Bindable(defaultValue = "0") int threads,
        @Bindable(defaultValue = "true") boolean tlsEnabled,
        @Bindable(defaultValue = "8443") int tlsPort,
        @Nullable Integer publicTlsPort) {

    public GatewaySettings {
        Settings.require(port >= 0 && port <= 65535, "cloudplane.gateway.port", "must be a port from 0 to 65535", port);
        baseDomain = baseDomain.trim().toLowerCase(java.util.Locale.ROOT);
        Settings.require(baseDomain.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?"), "cloudplane.gateway.base-domain",
                "must be a DNS name such as localhost or apps.example.com", baseDomain);
        Settings.require(publicScheme.equals("http") || publicScheme.equals("https"), "cloudplane.gateway.public-scheme",
                "must be http or https", publicScheme);
        Settings.require(publicPort == null || (publicPort >= 1 && publicPort <= 65535), "cloudplane.gateway.public-port",
                "must be a port from 1 to 65535", publicPort);
        trustedProxies = trustedProxies == null ? List.of() : trustedProxies.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String proxy : trustedProxies) {
            Settings.require(AddressBlock.parse(proxy).isPresent(), "cloudplane.gateway.trusted-proxies",
                    "must list IP addresses or CIDR blocks such as 10.0.0.0/8", proxy);
        }
        Settings.require(Settings.positive(wakeWait), "cloudplane.gateway.wake-wait", "must be a positive duration such as 30s", wakeWait);
        Settings.require(sessionLifetime.toMinutes() >= 1, "cloudplane.gateway.session-lifetime", "must be at least 1m", sessionLifetime);
        Settings.require(Settings.positive(studioAccessInterval), "cloudplane.gateway.studio-access-interval",
                "must be a positive duration such as 1m", studioAccessInterval);
        Settings.require(tlsPort >= 0 && tlsPort <= 65535, "cloudplane.gateway.tls-port", "must be a port from 0 to 65535", tlsPort);
        Settings.require(publicTlsPort == null || (publicTlsPort >= 1 && publicTlsPort <= 65535), "cloudplane.gateway.public-tls-port",
                "must be a port from 1 to 65535", publicTlsPort);
        Settings.require(threads >= 0, "cloudplane.gateway.threads", "must be 0 (twice the processors) or more", threads);
    }

    public List<AddressBlock> trustedProxyBlocks() {
        return trustedProxies.stream().map(p -> AddressBlock.parse(p).orElseThrow()).toList();
    }
}
