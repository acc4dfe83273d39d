package io.cloudplane.infra.runtime.kubernetes;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * How environments run on Kubernetes ({@code cloudplane.kubernetes.*}): the base domain of preview
 * and Studio hosts, the ingress class, the container port, the requests and limits of each server,
 * the size and class of each environment's resources volume, and whether Ingresses get TLS. An empty
 * ingress or storage class means the cluster's default. {@code forward-auth-url} is where ingress-nginx
 * asks Cloudplane whether a request may pass (forward authentication: the gateway's decision, and
 * the identity headers it sets); its host and port are also where each app's {@code /_cloudplane/}
 * path is sent (the gateway's sign-in and pages).
 */
@ConfigurationProperties("cloudplane.kubernetes")
public record KubernetesSettings(
        @Bindable(defaultValue = "cloudplane.local") String baseDomain,
        @Nullable String ingressClass,
        @Bindable(defaultValue = "8080") int containerPort,
        @Bindable(defaultValue = "100m") String cpuRequest,
        @Bindable(defaultValue = "256Mi") String memoryRequest,
        @Bindable(defaultValue = "1") String cpuLimit,
        @Bindable(defaultValue = "512Mi") String memoryLimit,
        @Bindable(defaultValue = "1Gi") String storageSize,
        @Nullable String storageClass,
        @Bindable(defaultValue = "false") boolean tls,
        @Bindable(defaultValue = DEFAULT_FORWARD_AUTH_URL) String forwardAuthUrl) {

    /** The API's Service of k8s/cloudplane.yaml ({@code cloudplane-api} in namespace {@code cloudplane}, port 80). */
    public static final String DEFAULT_FORWARD_AUTH_URL = "http://cloudplane-api.cloudplane.svc.cluster.local/gateway/auth";

    public KubernetesSettings {
        ingressClass = ingressClass == null || ingressClass.isBlank() ? null : ingressClass;
        storageClass = storageClass == null || storageClass.isBlank() ? null : storageClass;
        Settings.require(baseDomain.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?"), "cloudplane.kubernetes.base-domain",
                "must be a DNS name", baseDomain);
        Settings.require(containerPort >= 1 && containerPort <= 65535, "cloudplane.kubernetes.container-port",
                "must be a port from 1 to 65535", containerPort);
        Settings.require(forwardAuthHost(forwardAuthUrl) != null, "cloudplane.kubernetes.forward-auth-url",
                "must be an http:// or https:// address with a host, such as " + DEFAULT_FORWARD_AUTH_URL, forwardAuthUrl);
    }

    /** The host of {@code url} when it is an http(s) address, else null. */
    private static String forwardAuthHost(String url) {
        try {
            java.net.URI uri = new java.net.URI(url);
            boolean web = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
            return web ? uri.getHost() : null;
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    /** Where Cloudplane answers inside the cluster: the forward-auth URL's host. */
    public String cloudplaneHost() {
        return forwardAuthHost(forwardAuthUrl);
    }

    /** ... and its port (the scheme's own when the URL names none). */
    public int cloudplanePort() {
        java.net.URI uri = java.net.URI.create(forwardAuthUrl);
        return uri.getPort() > 0 ? uri.getPort() : uri.getScheme().equals("https") ? 443 : 80;
    }

    public static KubernetesSettings defaults() {
        return new KubernetesSettings("cloudplane.local", null, 8080, "100m", "256Mi", "1", "512Mi", "1Gi", null, false,
                DEFAULT_FORWARD_AUTH_URL);
    }
}
