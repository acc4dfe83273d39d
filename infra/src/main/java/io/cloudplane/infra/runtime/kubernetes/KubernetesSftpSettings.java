package io.cloudplane.infra.runtime.kubernetes;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.util.Set;

/**
 * {@code cloudplane.kubernetes.sftp.*}: SFTP to an environment's files on Kubernetes, by a sidecar
 * container in the environment's pod (docs/architecture.md says why).
 * <ul>
 *   <li>{@code enabled} (default true, when {@code cloudplane.sftp.enabled} is too): each environment's
 *       Deployment gets the {@code sftp} container and a Service for it;</li>
 *   <li>{@code image}: Cloudplane's own image, which the sidecar runs in its SFTP mode (default the image of
 *       {@code infra/k8s/cloudplane.yaml});</li>
 *   <li>{@code service-type}: {@code LoadBalancer} (default: an address per environment, as the issue's
 *       Network Load Balancer), {@code NodePort} or {@code ClusterIP} (for a TCP proxy of your own in front);</li>
 *   <li>{@code port}: the Service's port that clients connect to (default 22).</li>
 * </ul>
 */
@ConfigurationProperties("cloudplane.kubernetes.sftp")
public record KubernetesSftpSettings(
        @Bindable(defaultValue = "true") boolean enabled,
        @Bindable(defaultValue = DEFAULT_IMAGE) String image,
        @Bindable(defaultValue = "LoadBalancer") String serviceType,
        @Bindable(defaultValue = "22") int port) {

    public static final String DEFAULT_IMAGE = "ghcr.io/cloudplane/cloudplane:0.1.0";
    private static final Set<String> SERVICE_TYPES = Set.of("LoadBalancer", "NodePort", "ClusterIP");

    public KubernetesSftpSettings {
        Settings.require(!image.isBlank(), "cloudplane.kubernetes.sftp.image", "must name an image", image);
        Settings.require(SERVICE_TYPES.contains(serviceType), "cloudplane.kubernetes.sftp.service-type",
                "must be LoadBalancer, NodePort or ClusterIP", serviceType);
        Settings.require(port >= 1 && port <= 65535, "cloudplane.kubernetes.sftp.port", "must be a port from 1 to 65535", port);
    }

    public static KubernetesSftpSettings defaults() {
        return new KubernetesSftpSettings(true, DEFAULT_IMAGE, "LoadBalancer", 22);
    }
}
