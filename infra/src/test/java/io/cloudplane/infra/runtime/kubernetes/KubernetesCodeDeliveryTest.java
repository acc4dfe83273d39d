package io.cloudplane.infra.runtime.kubernetes;

import io.cloudplane.infra.code.CodeArchives;
import io.cloudplane.infra.runtime.ServerSpec;
import io.cloudplane.infra.runtime.ServerVersion;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An environment's code on its pods (issue 18), against fabric8's mock API server in CRUD mode: the init container,
 * its arguments, the Secret with the presigned URL, the code volume, and the Deployment rolled by each change of
 * code (an upload, a deployment, a roll-back) and by nothing else.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesCodeDeliveryTest {
    KubernetesClient client;

    private static final String V1 = "a".repeat(64);
    private static final String V2 = "b".repeat(64);
    private static final CodeArchives.Limits LIMITS = new CodeArchives.Limits(1024L << 20, 100_000, 2048L << 20);
    private final String appId = UUID.randomUUID().toString();
    private final String envId = UUID.randomUUID().toString();
    private final List<String> signed = new ArrayList<>();
    private final ServerSpec bare = new ServerSpec(envId, new ServerVersion("1.1.0", null, "ghcr.io/cloudplane/server:1.1.0"), null,
            "jdbc:postgresql://db.internal:5432/env_x", "env_x", "s3cret-password");

    private KubernetesRuntime runtime(KubernetesSftpSidecar sftp) {
        KubernetesCodeDelivery delivery = new KubernetesCodeDelivery(
                new KubernetesCodeSettings("registry.example/cloudplane:9.9.9", Duration.ofHours(12), Duration.ofHours(1)), LIMITS, (key, lifetime) -> {
            signed.add(key);
            return URI.create("https://bucket.s3.example/" + key + "?X-Amz-Expires=" + lifetime.toSeconds() + "&X-Amz-Signature=" + signed.size());
        });
        return new KubernetesRuntime(client, KubernetesSettings.defaults(), "https://console.example.com", sftp, delivery,
                id -> new KubernetesRuntime.Target(appId, "development-shop-0123456789ab", true),
                Clock.fixed(Instant.parse("2026-11-30T16:00:00Z"), ZoneOffset.UTC));
    }

    private static String key(String sha) {
        return "code/app/env/" + sha + ".tar.gz";
    }

    private ServerSpec withCode(String sha) {
        return bare.withCode(new ServerSpec.Code(key(sha), sha));
    }

    private Deployment deployment() {
        return client.apps().deployments().inNamespace("cp-" + appId).withName("env-" + envId).get();
    }

    private String urlInSecret() {
        Secret secret = client.secrets().inNamespace("cp-" + appId).withName("env-" + envId + "-code").get();
        String value = secret.getStringData() != null && secret.getStringData().containsKey("CLOUDPLANE_CODE_URL")
                ? secret.getStringData().get("CLOUDPLANE_CODE_URL")
                : new String(Base64.getDecoder().decode(secret.getData().get("CLOUDPLANE_CODE_URL")), StandardCharsets.UTF_8);
        return value;
    }

    private static Container fetcher(Deployment d) {
        List<Container> init = d.getSpec().getTemplate().getSpec().getInitContainers();
        assertEquals(1, init.size(), "one init container");
        return init.get(0);
    }

    @Test
    void theInitContainerFetchesTheCodeObjectIntoTheVolumeTheServerMounts() {
        runtime(null).start(withCode(V1));
        Deployment d = deployment();
        Container init = fetcher(d);
        assertEquals("fetch-code", init.getName());
        assertEquals("registry.example/cloudplane:9.9.9", init.getImage(), "Cloudplane's own image");
        assertEquals(List.of("fetch-code", "/code", V1, Long.toString(1024L << 20), "100000", Long.toString(2048L << 20)), init.getArgs());
        var url = init.getEnv().get(0);
        assertEquals("CLOUDPLANE_CODE_URL", url.getName());
        assertNull(url.getValue(), "the URL is never in the pod's spec");
        assertEquals("env-" + envId + "-code", url.getValueFrom().getSecretKeyRef().getName());
        assertEquals("/code", init.getVolumeMounts().get(0).getMountPath());
        assertEquals("code", init.getVolumeMounts().get(0).getName());

        var pod = d.getSpec().getTemplate().getSpec();
        assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getName().equals("code") && v.getEmptyDir() != null), "an emptyDir");
        Container server = pod.getContainers().get(0);
        assertTrue(server.getVolumeMounts().stream().anyMatch(m -> m.getName().equals("code") && m.getMountPath().equals("/srv/code")));
        assertTrue(server.getEnv().stream().anyMatch(e -> e.getName().equals("CODE_DIR") && e.getValue().equals("/srv/code")));
        assertEquals(V1, d.getSpec().getTemplate().getMetadata().getAnnotations().get("cloudplane.io/code-sha256"));

        assertEquals("https://bucket.s3.example/" + key(V1) + "?X-Amz-Expires=43200&X-Amz-Signature=1", urlInSecret(),
                "signed for url-lifetime");
        Secret secret = client.secrets().inNamespace("cp-" + appId).withName("env-" + envId + "-code").get();
        assertEquals(envId, secret.getMetadata().getLabels().get("cloudplane.io/environment"), "removed with the environment");
    }

    @Test
    void anEnvironmentWithoutCodeHasAnEmptyCodeVolumeAndNoInitContainer() {
        runtime(null).start(bare);
        Deployment d = deployment();
        assertTrue(d.getSpec().getTemplate().getSpec().getInitContainers().isEmpty());
        assertTrue(d.getSpec().getTemplate().getSpec().getVolumes().stream().anyMatch(v -> v.getName().equals("code")));
        assertNull(client.secrets().inNamespace("cp-" + appId).withName("env-" + envId + "-code").get());
    }

    @Test
    void aDeploymentRollsToTheNewCodeAndARollBackBringsThePreviousCodeBack() {
        KubernetesRuntime runtime = runtime(null);
        runtime.start(withCode(V1));
        long first = deployment().getMetadata().getGeneration();

        runtime.start(withCode(V1));
        assertEquals(first, deployment().getMetadata().getGeneration(), "the same code again: no roll");
        assertEquals(2, signed.size(), "but the URL is signed again, so a later pod start finds a fresh one");
        assertTrue(urlInSecret().endsWith("Signature=2"));

        // a deployment: stop (scale 0), the code record swapped, start
        runtime.stop(envId);
        runtime.start(withCode(V2));
        Deployment deployed = deployment();
        assertTrue(deployed.getMetadata().getGeneration() > first, "new code is a new rollout");
        assertEquals(1, deployed.getSpec().getReplicas());
        assertEquals(V2, fetcher(deployed).getArgs().get(2));
        assertEquals(V2, KubernetesRuntime.codeOf(deployed));
        assertTrue(urlInSecret().contains(key(V2)));

        // the health-gated roll-back of the failed deployment: the previous code record back, the server started again
        runtime.stop(envId);
        runtime.start(withCode(V1));
        Deployment back = deployment();
        assertTrue(back.getMetadata().getGeneration() > deployed.getMetadata().getGeneration(), "rolling back is a rollout too");
        assertEquals(V1, fetcher(back).getArgs().get(2));
        assertEquals(V1, KubernetesRuntime.codeOf(back));
        assertTrue(urlInSecret().contains(key(V1)));
    }

    @Test
    void anUploadRollsTheDeploymentOnceAndARestartWithTheSameCodeIsARolloutRestart() {
        KubernetesRuntime runtime = runtime(null);
        runtime.start(withCode(V1));
        long before = deployment().getMetadata().getGeneration();

        assertTrue(runtime.restartInPlace(withCode(V2)), "an upload to development: the server restarted with the new code");
        Deployment rolled = deployment();
        assertEquals(before + 1, rolled.getMetadata().getGeneration(), "one roll, not two");
        assertEquals(V2, fetcher(rolled).getArgs().get(2));
        assertFalse(rolled.getSpec().getTemplate().getMetadata().getAnnotations().containsKey(KubernetesRuntime.RESTARTED_AT),
                "the new code rolls it, no restart annotation needed");

        assertTrue(runtime.restartInPlace(withCode(V2)), "a plain restart");
        Deployment restarted = deployment();
        assertEquals(rolled.getMetadata().getGeneration() + 1, restarted.getMetadata().getGeneration());
        assertEquals("2026-11-30T16:00:00Z", restarted.getSpec().getTemplate().getMetadata().getAnnotations().get(KubernetesRuntime.RESTARTED_AT));
        assertEquals(V2, KubernetesRuntime.codeOf(restarted));

        runtime.start(withCode(V2));
        assertEquals(restarted.getMetadata().getGeneration(), deployment().getMetadata().getGeneration(),
                "applying again keeps the restart's annotation and the code's: no roll");
    }

    @Test
    void withoutCodeDeliveryARestartIsARolloutRestartWhateverTheSpecsCode() {
        KubernetesRuntime plain = new KubernetesRuntime(client, KubernetesSettings.defaults(), "https://console.example.com",
                id -> new KubernetesRuntime.Target(appId, "development-shop-0123456789ab", true),
                Clock.fixed(Instant.parse("2026-11-30T16:00:00Z"), ZoneOffset.UTC));
        plain.start(withCode(V1));
        assertTrue(deployment().getSpec().getTemplate().getSpec().getInitContainers().isEmpty());
        assertTrue(plain.restartInPlace(withCode(V2)));
        assertEquals("2026-11-30T16:00:00Z", deployment().getSpec().getTemplate().getMetadata().getAnnotations().get(KubernetesRuntime.RESTARTED_AT));
    }

    @Test
    void anUpdateAndItsRollBackKeepTheCode() {
        KubernetesRuntime runtime = runtime(null);
        runtime.start(withCode(V1));
        ServerSpec next = new ServerSpec(envId, new ServerVersion("1.2.0", null, "ghcr.io/cloudplane/server:1.2.0"), null,
                bare.databaseUrl(), "env_x", "s3cret-password", null, new ServerSpec.Code(key(V1), V1));
        runtime.startUpdate(next);
        assertEquals("ghcr.io/cloudplane/server:1.2.0", deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(V1, fetcher(deployment()).getArgs().get(2));
        runtime.abandonUpdate(withCode(V1));
        assertEquals("ghcr.io/cloudplane/server:1.1.0", deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(V1, KubernetesRuntime.codeOf(deployment()));
    }

    @Test
    void theUrlIsRenewedWithoutARollAndOnlyForTheCodeThePodsFetch() {
        KubernetesRuntime runtime = runtime(null);
        runtime.start(withCode(V1));
        long generation = deployment().getMetadata().getGeneration();
        assertTrue(urlInSecret().endsWith("Signature=1"));

        assertTrue(runtime.renewCodeUrl(envId, new ServerSpec.Code(key(V1), V1)));
        assertTrue(urlInSecret().endsWith("Signature=2"), "signed again: " + urlInSecret());
        assertTrue(urlInSecret().contains(key(V1)));
        assertEquals(generation, deployment().getMetadata().getGeneration(), "nothing rolls");

        assertFalse(runtime.renewCodeUrl(envId, new ServerSpec.Code(key(V2), V2)), "other code than the pods fetch: left to its start");
        assertTrue(urlInSecret().contains(key(V1)));
        assertFalse(runtime.renewCodeUrl(UUID.randomUUID().toString(), new ServerSpec.Code(key(V1), V1)), "no Deployment");
    }

    @Test
    void theSftpSidecarSeesTheCodeReadOnly() {
        var sidecar = new KubernetesSftpSidecar(KubernetesSftpSettings.defaults(), Map.of("DATASOURCES_DEFAULT_URL", "jdbc:postgresql://db/cp"),
                "-----BEGIN OPENSSH PRIVATE KEY-----\nkey\n-----END OPENSSH PRIVATE KEY-----\n");
        runtime(sidecar).start(withCode(V1));
        Container sftp = deployment().getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("sftp")).findFirst().orElseThrow();
        var mount = sftp.getVolumeMounts().stream().filter(m -> m.getName().equals("code")).findFirst().orElseThrow();
        assertEquals("/srv/code", mount.getMountPath());
        assertTrue(mount.getReadOnly());
    }

    @Test
    void deletingTheEnvironmentRemovesItsCodeSecret() {
        KubernetesRuntime runtime = runtime(null);
        runtime.start(withCode(V1));
        runtime.remove(envId);
        assertNull(client.secrets().inNamespace("cp-" + appId).withName("env-" + envId + "-code").get());
        assertNotEquals(0, signed.size());
    }
}
