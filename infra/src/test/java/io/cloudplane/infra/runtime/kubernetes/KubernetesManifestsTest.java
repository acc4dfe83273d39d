package io.cloudplane.infra.runtime.kubernetes;

import io.cloudplane.infra.runtime.ServerSpec;
import io.cloudplane.infra.runtime.ServerVersion;
import io.cloudplane.infra.runtime.kubernetes.KubernetesRuntime.Target;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The objects of an environment, as values: no cluster and no mock server. */
class KubernetesManifestsTest {
    private static final String APP = "a1";
    private static final String ENV = "e1";
    private final ServerSpec spec = new ServerSpec(ENV, new ServerVersion("1.1.0", null, "ghcr.io/cloudplane/server:1.1.0"), null,
            "jdbc:postgresql://db.internal:5432/env_x", "env_x", "s3cret-password");
    private final Target staging = new Target(APP, "staging-my-shop-0123456789ab", true);
    private final KubernetesManifests manifests = new KubernetesManifests(KubernetesSettings.defaults(), "http://127.0.0.1:8080");
    private final Map<String, String> labels = Map.of("app.kubernetes.io/name", "cloudplane-server", "app.kubernetes.io/instance", "env-e1",
            "app.kubernetes.io/version", "1.1.0", "app.kubernetes.io/managed-by", "cloudplane",
            "cloudplane.io/app", APP, "cloudplane.io/environment", ENV);

    @Test
    void everyObjectInTheOrderItIsAppliedNamedAndLabelledForItsEnvironment() {
        List<HasMetadata> all = manifests.all(spec, staging);

        assertEquals(List.of("Namespace", "Secret", "PersistentVolumeClaim", "Deployment", "Service", "Ingress", "Service", "Ingress"),
                all.stream().map(HasMetadata::getKind).toList(), "the namespace first: the others live in it");
        assertEquals(List.of("cp-a1", "env-e1-db", "env-e1-resources", "env-e1", "env-e1", "env-e1", "env-e1-gateway", "env-e1-gateway"),
                all.stream().map(o -> o.getMetadata().getName()).toList());
        assertEquals(Map.of("app.kubernetes.io/managed-by", "cloudplane", "cloudplane.io/app", APP), all.get(0).getMetadata().getLabels());
        for (HasMetadata object : all.subList(1, all.size())) {
            assertEquals("cp-a1", object.getMetadata().getNamespace(), object.getKind());
            assertEquals(labels, object.getMetadata().getLabels(), object.getKind());
        }
    }

    @Test
    void theDatabasePasswordIsInTheSecretAndOnlyThere() {
        var secret = manifests.secret(spec, staging);
        assertEquals("Opaque", secret.getType());
        assertEquals(Map.of("DATABASE_URL", spec.databaseUrl(), "DATABASE_USERNAME", "env_x", "DATABASE_PASSWORD", "s3cret-password"),
                secret.getStringData());

        var container = manifests.deployment(spec, staging).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("env-e1-db", container.getEnvFrom().get(0).getSecretRef().getName());
        assertTrue(container.getEnv().stream().noneMatch(e -> e.getValue().contains("s3cret")), container.getEnv().toString());
    }

    @Test
    void theClaimAsksForTheConfiguredVolume() {
        var claim = manifests.claim(spec, staging).getSpec();
        assertEquals(List.of("ReadWriteOnce"), claim.getAccessModes());
        assertEquals(new Quantity("1Gi"), claim.getResources().getRequests().get("storage"));
        assertNull(claim.getStorageClassName(), "the cluster's default class");

        var settings = new KubernetesSettings("example.com", "nginx", 9000, "200m", "128Mi", "2", "1Gi", "5Gi", "fast-ssd", true,
                "https://cloudplane.internal:8443/gateway/auth");
        var fast = new KubernetesManifests(settings, "http://127.0.0.1:8080").claim(spec, staging).getSpec();
        assertEquals("fast-ssd", fast.getStorageClassName());
        assertEquals(new Quantity("5Gi"), fast.getResources().getRequests().get("storage"));
        var gateway = new KubernetesManifests(settings, "http://127.0.0.1:8080").gatewayService(spec, staging).getSpec();
        assertEquals("cloudplane.internal", gateway.getExternalName(), "the forward-auth URL's host and port");
        assertEquals(8443, gateway.getPorts().get(0).getPort());
    }

    @Test
    void theDeploymentRunsOneServerOfTheVersionsImageWithProbesLimitsAndTheVolume() {
        Deployment d = manifests.deployment(spec, staging);
        assertEquals(1, d.getSpec().getReplicas());
        assertEquals("Recreate", d.getSpec().getStrategy().getType(), "one server writes the volume at a time");
        assertEquals(Map.of("cloudplane.io/environment", ENV, "app.kubernetes.io/name", "cloudplane-server"),
                d.getSpec().getSelector().getMatchLabels(), "no version in the selector: an update cannot change a selector");
        assertEquals(labels, d.getSpec().getTemplate().getMetadata().getLabels());

        var container = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("ghcr.io/cloudplane/server:1.1.0", container.getImage());
        assertEquals(8080, container.getPorts().get(0).getContainerPort());
        assertEquals(Map.of("PORT", "8080", "CODE_DIR", "/srv/code", "RESOURCES_DIR", "/srv/resources", "CLOUDPLANE_ENV_ID", ENV,
                "CLOUDPLANE_SERVER_VERSION", "1.1.0"),
                container.getEnv().stream().collect(java.util.stream.Collectors.toMap(EnvVar::getName, EnvVar::getValue)));
        assertEquals("/_health", container.getReadinessProbe().getHttpGet().getPath());
        assertEquals(new IntOrString("http"), container.getReadinessProbe().getHttpGet().getPort());
        assertEquals("/_health", container.getLivenessProbe().getHttpGet().getPath());
        assertEquals(30, container.getLivenessProbe().getInitialDelaySeconds(), "a slow start is not a dead server");
        assertEquals(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("256Mi")), container.getResources().getRequests());
        assertEquals(Map.of("cpu", new Quantity("1"), "memory", new Quantity("512Mi")), container.getResources().getLimits());
        assertEquals("/srv/resources", container.getVolumeMounts().get(0).getMountPath());
        assertEquals("env-e1-resources", d.getSpec().getTemplate().getSpec().getVolumes().get(0).getPersistentVolumeClaim().getClaimName());
    }

    @Test
    void theServiceSelectsTheDeploymentsPodsAndTheIngressRoutesItsHosts() {
        var service = manifests.service(spec, staging).getSpec();
        assertEquals(manifests.deployment(spec, staging).getSpec().getSelector().getMatchLabels(), service.getSelector());
        assertEquals(80, service.getPorts().get(0).getPort());
        assertEquals(new IntOrString("http"), service.getPorts().get(0).getTargetPort());

        var ingress = manifests.ingress(spec, staging).getSpec();
        assertNull(ingress.getIngressClassName(), "the cluster's default class");
        assertEquals(List.of("staging-my-shop-0123456789ab.cloudplane.local", "studio-staging-my-shop-0123456789ab.cloudplane.local"),
                ingress.getRules().stream().map(r -> r.getHost()).toList());
        var path = ingress.getRules().get(0).getHttp().getPaths().get(0);
        assertEquals("/", path.getPath());
        assertEquals("Prefix", path.getPathType());
        assertEquals("env-e1", path.getBackend().getService().getName());
        assertEquals("http", path.getBackend().getService().getPort().getName());

        var production = manifests.ingress(spec, new Target(APP, "production-my-shop-0123456789ab", false)).getSpec();
        assertEquals(List.of("production-my-shop-0123456789ab.cloudplane.local"), production.getRules().stream().map(r -> r.getHost()).toList(),
                "no Studio host without Studio");
    }

    @Test
    void hostsAreDnsLabelsUnderTheBaseDomainAndTheUrlFollowsTls() {
        assertEquals("http://staging-my-shop-0123456789ab.cloudplane.local/", manifests.previewUrl(staging));
        var tls = new KubernetesManifests(new KubernetesSettings("apps.example.com", "nginx", 8080, "100m", "256Mi", "1", "512Mi", "1Gi",
                null, true, KubernetesSettings.DEFAULT_FORWARD_AUTH_URL), "https://console.example.com");
        assertEquals("https://staging-my-shop-0123456789ab.apps.example.com/", tls.previewUrl(staging));
        assertEquals("nginx", tls.ingress(spec, staging).getSpec().getIngressClassName());
        assertEquals("https://console.example.com/gateway/sign-in?to=$scheme://$host$escaped_request_uri",
                tls.ingress(spec, staging).getMetadata().getAnnotations().get(KubernetesManifests.AUTH_SIGNIN));
    }
}
