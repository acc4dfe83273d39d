package io.cloudplane.infra.runtime.kubernetes;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * How environments run on Kubernetes ({@code cloudplane.kubernetes.*}): the base domain of preview
 * and Studio hosts, the ingress class, the container port, the requests and limits of each server,
 * the size and class of each environment's resources volume, and whether Ingresses get TLS. An empty
 * ingress or storage class means the cluster's default.
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
        @Bindable(defaultValue = "false") boolean tls) {

    public KubernetesSettings {
        ingressClass = ingressClass == null || ingressClass.isBlank() ? null : ingressClass;
        storageClass = storageClass == null || storageClass.isBlank() ? null : storageClass;
        Settings.require(baseDomain.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?"), "cloudplane.kubernetes.base-domain",
                "must be a DNS name", baseDomain);
        Settings.require(containerPort >= 1 && containerPort <= 65535, "cloudplane.kubernetes.container-port",
                "must be a port from 1 to 65535", containerPort);
    }

    public static KubernetesSettings defaults() {
        return new KubernetesSettings("cloudplane.local", null, 8080, "100m", "256Mi", "1", "512Mi", "1Gi", null, false);
    }
}
