package io.cloudplane.api.gateway;

import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.gateway.GatewayDoor;
import io.cloudplane.infra.runtime.kubernetes.KubernetesSettings;
import jakarta.inject.Singleton;

import java.util.Locale;
import java.util.Optional;

/**
 * Environments' host names and the URLs people open. An environment's label (its
 * {@code host_label}, unique, set by the database) gives {@code <label>.<domain>} for its app and
 * {@code studio-<label>.<domain>} for its Studio. The domain is the gateway's
 * {@code cloudplane.gateway.base-domain} on the local runtime, and {@code cloudplane.kubernetes.base-domain}
 * on Kubernetes, where the Ingress serves the same names.
 */
@Singleton
public class HostNames {
    public static final String STUDIO_PREFIX = "studio-";
    private static final java.util.regex.Pattern LABEL = java.util.regex.Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private final GatewaySettings settings;
    private final boolean kubernetes;
    private final KubernetesSettings kubernetesSettings;
    private volatile int listenerPort;
    private volatile int tlsListenerPort;

    public HostNames(GatewaySettings settings, CloudplaneSettings cloudplane, KubernetesSettings kubernetesSettings) {
        this.settings = settings;
        this.kubernetes = cloudplane.runtime().equals("kubernetes");
        this.kubernetesSettings = kubernetesSettings;
        this.listenerPort = settings.port();
        this.tlsListenerPort = settings.tlsPort();
    }

    /** Called by the gateway once its HTTPS listener listens (custom domains' https URLs carry that port, or {@code public-tls-port}). */
    public void listeningTls(int port) {
        this.tlsListenerPort = port;
    }

    /**
     * {@code https://host[:port]} of a custom domain served with its certificate: the gateway's
     * HTTPS listener ({@code public-tls-port}, else the listener's own), or on Kubernetes the
     * Ingress' 443; 443 is left out.
     */
    public String httpsOrigin(String host) {
        int port = kubernetes ? 443 : settings.publicTlsPort() != null ? settings.publicTlsPort() : tlsListenerPort;
        return "https://" + host + (port == 443 ? "" : ":" + port);
    }

    /** The origin of a custom domain: https once its certificate is served, else plain http on the gateway's HTTP port. */
    public String customOrigin(String host, boolean servesCertificate) {
        if (servesCertificate) {
            return httpsOrigin(host);
        }
        int port = kubernetes ? 80 : listenerPort;
        return "http://" + host + (port == 80 ? "" : ":" + port);
    }

    /** A Host header (or SNI name) as a custom domain's name: lower case, without its port and trailing dot; null for none or an IPv6 literal. */
    public static String bare(String hostHeader) {
        if (hostHeader == null) {
            return null;
        }
        String host = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (host.isEmpty() || host.startsWith("[")) {
            return null;
        }
        int colon = host.indexOf(':');
        if (colon >= 0) {
            host = host.substring(0, colon);
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return host.isEmpty() ? null : host;
    }

    /** Whether a bare host is the base domain or under it (never a custom domain). */
    public boolean underDomain(String bareHost) {
        return bareHost.equals(domain()) || bareHost.endsWith("." + domain());
    }

    /** Called by the gateway once it listens, so that URLs carry the port it got when asked for a free one. */
    public void listening(int port) {
        this.listenerPort = port;
    }

    public String domain() {
        return kubernetes ? kubernetesSettings.baseDomain() : settings.baseDomain();
    }

    public String host(String label, GatewayDoor door) {
        return (door == GatewayDoor.STUDIO ? STUDIO_PREFIX + label : label) + "." + domain();
    }

    /** The URL of a door, ending with "/". */
    public String url(String label, GatewayDoor door) {
        return origin(host(label, door)) + "/";
    }

    /** {@code scheme://host[:port]}, the port left out when it is the scheme's own. */
    public String origin(String host) {
        String scheme;
        int port;
        if (kubernetes) {
            scheme = kubernetesSettings.tls() ? "https" : "http";
            port = scheme.equals("https") ? 443 : 80;
        } else {
            scheme = settings.publicScheme();
            port = settings.publicPort() != null ? settings.publicPort() : listenerPort;
        }
        boolean own = (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        return scheme + "://" + host + (own ? "" : ":" + port);
    }

    /**
     * The label and door a request's host names, without looking anything up: the host (port and a
     * trailing dot left out, any case) must be one label under the domain. A host that begins with
     * {@code studio-} may be the Studio of the rest, or the app of an environment whose own label
     * begins so (an environment named "studio"): both are offered, the Studio first.
     */
    public Optional<Candidates> parse(String hostHeader) {
        if (hostHeader == null) {
            return Optional.empty();
        }
        String host = bare(hostHeader);
        if (host == null) {
            return Optional.empty(); // an IPv6 literal names no environment
        }
        String suffix = "." + domain();
        if (!host.endsWith(suffix)) {
            return Optional.empty();
        }
        String label = host.substring(0, host.length() - suffix.length());
        if (!LABEL.matcher(label).matches()) {
            return Optional.empty();
        }
        String studioOf = label.startsWith(STUDIO_PREFIX) && label.length() > STUDIO_PREFIX.length()
                ? label.substring(STUDIO_PREFIX.length()) : null;
        return Optional.of(new Candidates(label, studioOf));
    }

    /** {@code label}: the host's label as an app's; {@code studioOf}: the label whose Studio it would be, or null. */
    public record Candidates(String label, String studioOf) {
    }
}
