package io.cloudplane.infra.runtime.kubernetes;

import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.runtime.EnvironmentRuntime;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.util.UUID;

/**
 * {@code CLOUDPLANE_RUNTIME=kubernetes}: the client finds its cluster as kubectl does (KUBECONFIG,
 * ~/.kube/config) or, inside a pod, from its service account.
 */
@Factory
@Requires(property = "cloudplane.runtime", value = "kubernetes")
public class KubernetesRuntimeFactory {

    @Singleton
    @Bean(preDestroy = "close")
    KubernetesClient kubernetesClient() {
        return new KubernetesClientBuilder().build();
    }

    @Singleton
    EnvironmentRuntime kubernetesRuntime(KubernetesClient client, KubernetesSettings settings, CloudplaneSettings cloudplane,
                                         EnvironmentRepository environments) {
        return new KubernetesRuntime(client, settings, cloudplane.consoleUrl(), envId -> {
            EnvironmentRecord env = environments.findById(UUID.fromString(envId))
                    .orElseThrow(() -> new IllegalArgumentException("no environment " + envId));
            return new KubernetesRuntime.Target(env.appId().toString(), env.hostLabel(), env.hasStudio());
        }, Clock.systemUTC());
    }

}
