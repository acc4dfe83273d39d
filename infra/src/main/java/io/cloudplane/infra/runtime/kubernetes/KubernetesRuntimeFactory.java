package io.cloudplane.infra.runtime.kubernetes;

import io.cloudplane.infra.code.CodeSettings;
import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.storage.ObjectStore;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.runtime.EnvironmentRuntime;
import io.cloudplane.infra.sftp.SftpHostKey;
import io.cloudplane.infra.sftp.SftpSettings;
import io.micronaut.context.env.Environment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
                                         EnvironmentRepository environments, SftpSettings sftpSettings, KubernetesSftpSettings sidecar,
                                         SftpHostKey hostKey, Environment config, KubernetesCodeSettings code, CodeSettings codeSettings,
                                         jakarta.inject.Provider<ObjectStore> store) {
        KubernetesSftpSidecar sftp = sftpSettings.enabled() && sidecar.enabled() ? sidecar(sidecar, cloudplane, hostKey, config) : null;
        // Pods fetch their code from the object store by presigned URLs: signed by the store's own credentials,
        // so the app's namespace holds no credential of Cloudplane's for the store.
        KubernetesCodeDelivery delivery = new KubernetesCodeDelivery(code, codeSettings.artifactLimits(),
                (key, lifetime) -> store.get().presignGet(key, lifetime));
        return new KubernetesRuntime(client, settings, cloudplane.consoleUrl(), sftp, delivery, envId -> {
            EnvironmentRecord env = environments.findById(UUID.fromString(envId))
                    .orElseThrow(() -> new IllegalArgumentException("no environment " + envId));
            return new KubernetesRuntime.Target(env.appId().toString(), env.hostLabel(), env.hasStudio());
        }, Clock.systemUTC());
    }

    /** The sidecar reads Cloudplane's database as this process does, with its secret key and its host key. */
    static KubernetesSftpSidecar sidecar(KubernetesSftpSettings settings, CloudplaneSettings cloudplane, SftpHostKey hostKey,
                                         Environment config) {
        Map<String, String> connection = new LinkedHashMap<>();
        for (String name : List.of("url", "username", "password")) {
            config.getProperty("datasources.default." + name, String.class)
                    .ifPresent(value -> connection.put("DATASOURCES_DEFAULT_" + name.toUpperCase(Locale.ROOT), value));
        }
        if (!cloudplane.secretKey().isEmpty()) {
            connection.put("CLOUDPLANE_SECRET_KEY", cloudplane.secretKey());
        }
        hostKey.publicKey(); // made now if it does not exist yet
        try {
            return new KubernetesSftpSidecar(settings, connection, Files.readString(hostKey.file()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the SFTP host key " + hostKey.file(), e);
        }
    }

}
