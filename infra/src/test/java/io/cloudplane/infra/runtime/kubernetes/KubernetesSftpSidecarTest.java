package io.cloudplane.infra.runtime.kubernetes;

import io.cloudplane.infra.runtime.ServerSpec;
import io.cloudplane.infra.runtime.ServerVersion;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SFTP sidecar of every environment's pod and its Service (issue 16), against fabric8's mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class KubernetesSftpSidecarTest {
    KubernetesClient client;

    private static final String HOST_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----\n";
    private final String appId = UUID.randomUUID().toString();
    private final String envId = UUID.randomUUID().toString();
    private final String otherEnvId = UUID.randomUUID().toString();
    private final Map<String, String> connection = Map.of("DATASOURCES_DEFAULT_URL", "jdbc:postgresql://db:5432/cloudplane",
            "DATASOURCES_DEFAULT_USERNAME", "cloudplane", "DATASOURCES_DEFAULT_PASSWORD", "db-s3cret", "CLOUDPLANE_SECRET_KEY", "a2V5");

    private KubernetesRuntime runtime(KubernetesSftpSettings settings) {
        KubernetesSftpSidecar sftp = settings == null ? null : new KubernetesSftpSidecar(settings, connection, HOST_KEY);
        return new KubernetesRuntime(client, KubernetesSettings.defaults(), "https://console.example.com", sftp,
                id -> new KubernetesRuntime.Target(appId, "dev-shop-" + id.substring(0, 8), true),
                Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC));
    }

    private ServerSpec spec(String id) {
        return new ServerSpec(id, new ServerVersion("1.1.0", null, "ghcr.io/cloudplane/server:1.1.0"), null,
                "jdbc:postgresql://db.internal:5432/env_x", "env_x", "env-password");
    }

    private String ns() {
        return "cp-" + appId;
    }

    private Deployment deployment(String id) {
        return client.apps().deployments().inNamespace(ns()).withName("env-" + id).get();
    }

    @Test
    void eachPodGetsTheSidecarOnTheSameVolumeWithTheSharedHostKeyAndAServiceOfItsOwn() {
        KubernetesRuntime runtime = runtime(KubernetesSftpSettings.defaults());
        runtime.start(spec(envId));

        Deployment d = deployment(envId);
        List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
        assertEquals(List.of("server", "sftp"), containers.stream().map(Container::getName).toList());
        Container sftp = containers.get(1);
        assertEquals(KubernetesSftpSettings.DEFAULT_IMAGE, sftp.getImage(), "Cloudplane's own image");
        Map<String, String> env = sftp.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
        assertEquals(Map.of("CLOUDPLANE_API_ENABLED", "false", "CLOUDPLANE_WORKER_ENABLED", "false", "CLOUDPLANE_SFTP_ENVIRONMENT", envId,
                "CLOUDPLANE_SFTP_FILES_ROOT", "/srv", "CLOUDPLANE_SFTP_HOST_KEY", "/etc/cloudplane/sftp/ssh_host_ecdsa_key",
                "CLOUDPLANE_SFTP_BIND_ADDRESS", "0.0.0.0", "CLOUDPLANE_SFTP_PORT", "2222"), env);
        assertTrue(sftp.getEnv().stream().noneMatch(e -> e.getValue().contains("s3cret")), "secrets only in the Secret");
        assertEquals(KubernetesSftpSidecar.CONNECTION_SECRET, sftp.getEnvFrom().get(0).getSecretRef().getName());
        assertEquals(2222, sftp.getPorts().get(0).getContainerPort());
        assertEquals("sftp", sftp.getPorts().get(0).getName());

        // The same resources volume as the server's, and the host key read-only from the one shared Secret.
        var server = containers.get(0);
        var resources = sftp.getVolumeMounts().stream().filter(m -> m.getName().equals("resources")).findFirst().orElseThrow();
        assertEquals("/srv/resources", resources.getMountPath());
        assertEquals(server.getVolumeMounts().get(0).getName(), resources.getName());
        assertTrue(sftp.getVolumeMounts().stream().noneMatch(m -> m.getMountPath().startsWith("/srv/code")), "no code volume yet (issue 18)");
        var hostKeyMount = sftp.getVolumeMounts().stream().filter(m -> m.getName().equals("sftp-host-key")).findFirst().orElseThrow();
        assertEquals("/etc/cloudplane/sftp", hostKeyMount.getMountPath());
        assertTrue(hostKeyMount.getReadOnly());
        var volumes = d.getSpec().getTemplate().getSpec().getVolumes();
        assertEquals("env-" + envId + "-resources", volumes.stream().filter(v -> v.getName().equals("resources")).findFirst().orElseThrow()
                .getPersistentVolumeClaim().getClaimName());
        assertEquals(KubernetesSftpSidecar.HOST_KEY_SECRET, volumes.stream().filter(v -> v.getName().equals("sftp-host-key")).findFirst()
                .orElseThrow().getSecret().getSecretName());

        var connectionSecret = client.secrets().inNamespace(ns()).withName(KubernetesSftpSidecar.CONNECTION_SECRET).get();
        assertEquals(connection, connectionSecret.getStringData());
        assertEquals(Map.of("app.kubernetes.io/managed-by", "cloudplane", "cloudplane.io/app", appId), connectionSecret.getMetadata().getLabels(),
                "the app's, not one environment's: it outlives any one of them");
        var hostKeySecret = client.secrets().inNamespace(ns()).withName(KubernetesSftpSidecar.HOST_KEY_SECRET).get();
        assertEquals(Map.of("ssh_host_ecdsa_key", HOST_KEY), hostKeySecret.getStringData());

        var service = client.services().inNamespace(ns()).withName("env-" + envId + "-sftp").get();
        assertEquals("LoadBalancer", service.getSpec().getType());
        assertEquals(d.getSpec().getSelector().getMatchLabels(), service.getSpec().getSelector());
        assertEquals(22, service.getSpec().getPorts().get(0).getPort());
        assertEquals(new IntOrString("sftp"), service.getSpec().getPorts().get(0).getTargetPort());
        assertEquals(envId, service.getMetadata().getLabels().get("cloudplane.io/environment"));

        // A second environment of the app shares the Secrets; deleting the first leaves them to it.
        runtime.start(spec(otherEnvId));
        assertEquals(KubernetesSftpSidecar.HOST_KEY_SECRET, deployment(otherEnvId).getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals("sftp-host-key")).findFirst().orElseThrow().getSecret().getSecretName());
        runtime.delete(envId);
        assertNull(client.services().inNamespace(ns()).withName("env-" + envId + "-sftp").get());
        assertNull(deployment(envId));
        assertNotNull(client.services().inNamespace(ns()).withName("env-" + otherEnvId + "-sftp").get());
        assertNotNull(client.secrets().inNamespace(ns()).withName(KubernetesSftpSidecar.CONNECTION_SECRET).get());
        assertNotNull(client.secrets().inNamespace(ns()).withName(KubernetesSftpSidecar.HOST_KEY_SECRET).get());
    }

    @Test
    void theServiceTypeAndPortAreSettingsAndWithoutTheSidecarThePodHasOnlyTheServer() {
        runtime(new KubernetesSftpSettings(true, "registry.example.com/cloudplane:2.0.0", "NodePort", 2022)).start(spec(envId));
        var service = client.services().inNamespace(ns()).withName("env-" + envId + "-sftp").get();
        assertEquals("NodePort", service.getSpec().getType());
        assertEquals(2022, service.getSpec().getPorts().get(0).getPort());
        assertEquals("registry.example.com/cloudplane:2.0.0", deployment(envId).getSpec().getTemplate().getSpec().getContainers().get(1).getImage());

        runtime(null).start(spec(otherEnvId));
        assertEquals(1, deployment(otherEnvId).getSpec().getTemplate().getSpec().getContainers().size());
        assertNull(client.services().inNamespace(ns()).withName("env-" + otherEnvId + "-sftp").get());

        assertThrows(RuntimeException.class, () -> new KubernetesSftpSettings(true, "img", "ExternalName", 22));
        assertThrows(RuntimeException.class, () -> new KubernetesSftpSettings(true, "img", "LoadBalancer", 0));
        assertFalse(new KubernetesSftpSidecar(KubernetesSftpSettings.defaults(), connection, HOST_KEY).toString().contains("s3cret"));
        assertFalse(new KubernetesSftpSidecar(KubernetesSftpSettings.defaults(), connection, HOST_KEY).toString().contains("PRIVATE"));
    }
}
