package io.cloudplane.infra.runtime.kubernetes;

import io.cloudplane.infra.app.AppRepository;
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
    EnvironmentRuntime kubernetesRuntime(KubernetesClient client, KubernetesSettings settings, EnvironmentRepository environments,
                                         AppRepository apps) {
        return new KubernetesRuntime(client, settings, envId -> {
            EnvironmentRecord env = environments.findById(UUID.fromString(envId))
                    .orElseThrow(() -> new IllegalArgumentException("no environment " + envId));
            String appName = apps.findById(env.appId()).map(a -> a.name()).orElse(env.appId().toString());
            boolean studio = env.type() == EnvironmentRecord.EnvironmentType.DEVELOPMENT
                    || env.type() == EnvironmentRecord.EnvironmentType.STAGING;
            return new KubernetesRuntime.Target(env.appId().toString(), appName, env.name(), studio);
        }, Clock.systemUTC());
    }

}
