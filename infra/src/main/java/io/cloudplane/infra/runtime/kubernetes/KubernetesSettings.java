package io.cloudplane.infra.runtime.kubernetes;

/**
 * How environments run on Kubernetes ({@code cloudplane.kubernetes.*}): the base domain of preview
 * and Studio hosts, the ingress class, the container port, the requests and limits of each server,
 * and the size and class of each environment's resources volume.
 */
public record KubernetesSettings(String baseDomain, String ingressClass, int containerPort, String cpuRequest,
                                 String memoryRequest, String cpuLimit, String memoryLimit, String storageSize,
                                 String storageClass, boolean tls) {

    public static KubernetesSettings defaults() {
        return new KubernetesSettings("cloudplane.local", null, 8080, "100m", "256Mi", "1", "512Mi", "1Gi", null, false);
    }
}
