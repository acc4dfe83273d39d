package io.cloudplane.infra.runtime.kubernetes;

import io.cloudplane.infra.runtime.HealthReport;
import io.cloudplane.infra.runtime.ServerSpec;
import io.cloudplane.infra.runtime.ServerVersion;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Against fabric8's mock API server in CRUD mode: no cluster runs here. */
@EnableKubernetesMockClient(crud = true)
class KubernetesRuntimeTest {
    KubernetesClient client;

    private static final String LABEL = "staging-my-shop-0123456789ab";
    private final String appId = UUID.randomUUID().toString();
    private final String envId = UUID.randomUUID().toString();
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-23T01:30:00Z"), ZoneOffset.UTC);
    private final ServerSpec spec = new ServerSpec(envId, new ServerVersion("1.1.0", null, "ghcr.io/cloudplane/server:1.1.0"), null,
            "jdbc:postgresql://db.internal:5432/env_x", "env_x", "s3cret-password");

    private KubernetesRuntime runtime(boolean studio) {
        return new KubernetesRuntime(client, KubernetesSettings.defaults(), "https://console.example.com",
                id -> new KubernetesRuntime.Target(appId, id.equals(envId) ? LABEL : "other-my-shop-" + id.substring(0, 8), studio), clock);
    }

    private String ns() {
        return "cp-" + appId;
    }

    private Deployment deployment() {
        return client.apps().deployments().inNamespace(ns()).withName("env-" + envId).get();
    }

    @Test
    void startCreatesTheExactObjectsWithTheRecommendedLabels() {
        var endpoint = runtime(true).start(spec);
        assertEquals("http://staging-my-shop-0123456789ab.cloudplane.local/", endpoint.previewUrl());

        Map<String, String> labels = Map.of("app.kubernetes.io/name", "cloudplane-server", "app.kubernetes.io/instance", "env-" + envId,
                "app.kubernetes.io/version", "1.1.0", "app.kubernetes.io/managed-by", "cloudplane",
                "cloudplane.io/app", appId, "cloudplane.io/environment", envId);
        assertNotNull(client.namespaces().withName(ns()).get());

        var secret = client.secrets().inNamespace(ns()).withName("env-" + envId + "-db").get();
        assertEquals(labels, secret.getMetadata().getLabels());
        assertEquals(Map.of("DATABASE_URL", spec.databaseUrl(), "DATABASE_USERNAME", "env_x", "DATABASE_PASSWORD", "s3cret-password"),
                secret.getStringData());

        var claim = client.persistentVolumeClaims().inNamespace(ns()).withName("env-" + envId + "-resources").get();
        assertEquals(labels, claim.getMetadata().getLabels());
        assertEquals(new Quantity("1Gi"), claim.getSpec().getResources().getRequests().get("storage"));
        assertEquals(List.of("ReadWriteOnce"), claim.getSpec().getAccessModes());

        Deployment d = deployment();
        assertEquals(labels, d.getMetadata().getLabels());
        assertEquals(1, d.getSpec().getReplicas());
        assertEquals(labels, d.getSpec().getTemplate().getMetadata().getLabels());
        var container = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("ghcr.io/cloudplane/server:1.1.0", container.getImage());
        assertEquals("env-" + envId + "-db", container.getEnvFrom().get(0).getSecretRef().getName());
        assertTrue(container.getEnv().stream().noneMatch(e -> "s3cret-password".equals(e.getValue())), "the password only in the Secret");
        assertEquals("/_health", container.getReadinessProbe().getHttpGet().getPath());
        assertEquals("/_health", container.getLivenessProbe().getHttpGet().getPath());
        assertEquals(new Quantity("100m"), container.getResources().getRequests().get("cpu"));
        assertEquals(new Quantity("512Mi"), container.getResources().getLimits().get("memory"));
        assertEquals("/srv/resources", container.getVolumeMounts().get(0).getMountPath());
        assertEquals("env-" + envId + "-resources",
                d.getSpec().getTemplate().getSpec().getVolumes().get(0).getPersistentVolumeClaim().getClaimName());

        var service = client.services().inNamespace(ns()).withName("env-" + envId).get();
        assertEquals(labels, service.getMetadata().getLabels());
        assertEquals(d.getSpec().getSelector().getMatchLabels(), service.getSpec().getSelector());

        var ingress = client.network().v1().ingresses().inNamespace(ns()).withName("env-" + envId).get();
        assertEquals(labels, ingress.getMetadata().getLabels());
        assertEquals(List.of("staging-my-shop-0123456789ab.cloudplane.local", "studio-staging-my-shop-0123456789ab.cloudplane.local"),
                ingress.getSpec().getRules().stream().map(r -> r.getHost()).toList());
    }

    @Test
    void theManifestThatDeploysCloudplaneItselfLoadsAndApplies() throws Exception {
        java.nio.file.Path manifest = java.nio.file.Path.of("k8s/cloudplane.yaml");
        try (var in = java.nio.file.Files.newInputStream(manifest)) {
            var objects = client.load(in).items();
            assertEquals(List.of("Namespace", "ServiceAccount", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ClusterRole",
                    "ClusterRoleBinding", "Secret", "ConfigMap", "Deployment", "Deployment", "Service"),
                    objects.stream().map(o -> o.getKind()).toList());
            var roles = objects.stream().filter(o -> o instanceof io.fabric8.kubernetes.api.model.rbac.ClusterRole)
                    .map(o -> (io.fabric8.kubernetes.api.model.rbac.ClusterRole) o).toList();
            var worker = roles.stream().filter(r -> r.getMetadata().getName().equals("cloudplane-environments")).findFirst().orElseThrow();
            for (String resource : List.of("deployments", "services", "ingresses", "persistentvolumeclaims", "secrets")) {
                assertTrue(worker.getRules().stream().anyMatch(r -> r.getResources().contains(resource) && r.getVerbs().contains("deletecollection")),
                        "delete by label is the deletecollection verb: " + resource);
            }
            assertTrue(worker.getRules().stream().noneMatch(r -> r.getResources().contains("secrets") && r.getVerbs().contains("list")),
                    "the worker writes secrets, never lists them");
            var apiRole = roles.stream().filter(r -> r.getMetadata().getName().equals("cloudplane-api-logs")).findFirst().orElseThrow();
            assertTrue(apiRole.getRules().stream().flatMap(r -> r.getVerbs().stream()).allMatch(v -> v.equals("get") || v.equals("list")),
                    "the API only reads");
        }
        try (var in = java.nio.file.Files.newInputStream(manifest)) {
            client.load(in).createOrReplace();
        }
        var api = client.apps().deployments().inNamespace("cloudplane").withName("cloudplane-api").get();
        assertEquals("false", api.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().get(0).getValue(),
                "the API pods run no worker");
        assertEquals("cloudplane-api", api.getSpec().getTemplate().getSpec().getServiceAccountName(), "with its own, read-only account");
        var worker = client.apps().deployments().inNamespace("cloudplane").withName("cloudplane-worker").get().getSpec().getTemplate()
                .getSpec().getContainers().get(0);
        assertTrue(worker.getEnv().stream().anyMatch(e -> e.getName().equals("CLOUDPLANE_API_ENABLED") && e.getValue().equals("false")),
                "the worker pods answer no API");
        for (var container : List.of(api.getSpec().getTemplate().getSpec().getContainers().get(0), worker)) {
            assertEquals("/health/readiness", container.getReadinessProbe().getHttpGet().getPath(), container.getName());
            assertEquals("/health/liveness", container.getLivenessProbe().getHttpGet().getPath(),
                    container.getName() + ": an outage of PostgreSQL or Temporal must not restart every pod");
        }
        assertEquals("kubernetes", client.configMaps().inNamespace("cloudplane").withName("cloudplane").get().getData()
                .get("CLOUDPLANE_RUNTIME"));
    }

    @Test
    void samplesComeFromMetricsK8sIoInTwoCallsForAllNamespaces() {
        KubernetesRuntime runtime = runtime(true);
        runtime.start(spec);
        Map<String, String> podLabels = new java.util.LinkedHashMap<>(deployment().getSpec().getTemplate().getMetadata().getLabels());
        client.pods().inNamespace(ns()).resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata()
                .withName("env-pod-1").withNamespace(ns()).withLabels(podLabels).endMetadata().build()).create();
        // metrics-server gives each PodMetrics its pod's labels.
        client.resource(new io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsBuilder().withNewMetadata()
                .withName("env-pod-1").withNamespace(ns()).withLabels(podLabels).endMetadata()
                .addNewContainer().withName("server").withUsage(Map.of("cpu", new Quantity("250m"), "memory", new Quantity("300Mi")))
                .endContainer().build()).inNamespace(ns()).create();

        // Another app's environment, in its own namespace: read by the same two calls.
        String otherEnv = UUID.randomUUID().toString();
        Map<String, String> otherLabels = new java.util.LinkedHashMap<>(podLabels);
        otherLabels.put("cloudplane.io/environment", otherEnv);
        client.pods().inNamespace("cp-other").resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata()
                .withName("env-pod-2").withNamespace("cp-other").withLabels(otherLabels).endMetadata().build()).create();
        client.resource(new io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsBuilder().withNewMetadata()
                .withName("env-pod-2").withNamespace("cp-other").withLabels(otherLabels).endMetadata()
                .addNewContainer().withName("server").withUsage(Map.of("cpu", new Quantity("1"), "memory", new Quantity("1Gi")))
                .endContainer().build()).inNamespace("cp-other").create();

        var samples = runtime.sample(List.of(envId, otherEnv, UUID.randomUUID().toString()));

        assertEquals(2, samples.size(), samples.toString());
        assertEquals(100.0, samples.get(otherEnv).cpuPercent(), 0.001);
        assertEquals(25.0, samples.get(envId).cpuPercent(), 0.001, "250m is a quarter of a core");
        assertEquals(300L * 1024 * 1024, samples.get(envId).memoryBytes());
        assertNull(samples.get(envId).netInBytes(), "not in metrics.k8s.io");
    }

    @Test
    void theIngressAsksCloudplaneFirstAndSendsCloudplanesPathToCloudplane() {
        runtime(true).start(spec);
        var service = client.services().inNamespace(ns()).withName("env-" + envId).get();
        assertEquals("ClusterIP", service.getSpec().getType(), "the server is reached only through the Ingress");

        var ingress = client.network().v1().ingresses().inNamespace(ns()).withName("env-" + envId).get();
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        assertEquals("http://cloudplane-api.cloudplane.svc.cluster.local/gateway/auth",
                annotations.get("nginx.ingress.kubernetes.io/auth-url"));
        assertEquals("https://console.example.com/gateway/sign-in?to=$scheme://$host$escaped_request_uri",
                annotations.get("nginx.ingress.kubernetes.io/auth-signin"));
        assertEquals("X-Cloudplane-User-Id,X-Cloudplane-User-Email,X-Cloudplane-Profile,X-Cloudplane-Role",
                annotations.get("nginx.ingress.kubernetes.io/auth-response-headers"));

        var gateway = client.services().inNamespace(ns()).withName("env-" + envId + "-gateway").get();
        assertEquals("ExternalName", gateway.getSpec().getType());
        assertEquals("cloudplane-api.cloudplane.svc.cluster.local", gateway.getSpec().getExternalName());
        assertEquals(80, gateway.getSpec().getPorts().get(0).getPort());
        assertEquals("cloudplane.io/environment=" + envId, "cloudplane.io/environment=" + gateway.getMetadata().getLabels()
                .get("cloudplane.io/environment"), "removed with the environment, by label");

        var paths = client.network().v1().ingresses().inNamespace(ns()).withName("env-" + envId + "-gateway").get();
        assertTrue(paths.getMetadata().getAnnotations() == null || paths.getMetadata().getAnnotations().keySet().stream()
                .noneMatch(k -> k.startsWith("nginx.ingress.kubernetes.io/auth-")), "signing in needs no sign-in: no forward authentication here");
        assertEquals(List.of("staging-my-shop-0123456789ab.cloudplane.local", "studio-staging-my-shop-0123456789ab.cloudplane.local"),
                paths.getSpec().getRules().stream().map(r -> r.getHost()).toList());
        for (var rule : paths.getSpec().getRules()) {
            var path = rule.getHttp().getPaths().get(0);
            assertEquals("/_cloudplane/", path.getPath());
            assertEquals("Prefix", path.getPathType());
            assertEquals("env-" + envId + "-gateway", path.getBackend().getService().getName());
            assertEquals(80, path.getBackend().getService().getPort().getNumber());
        }
    }

    @Test
    void aCustomDomainIsARuleOfBothIngressesWithItsTlsSecretKeptAcrossReappliesAndWithdrawnWhole() {
        KubernetesRuntime runtime = runtime(true);
        String domainId = UUID.randomUUID().toString();
        var route = new io.cloudplane.infra.runtime.DomainRoute(envId, domainId, "shop.example.com", null, null);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> runtime.publishDomain(route),
                "no Ingress yet: the environment was never started");
        runtime.start(spec);

        runtime.publishDomain(route); // verified, no certificate yet: the rule only
        var app = ingress("env-" + envId);
        assertEquals(List.of("staging-my-shop-0123456789ab.cloudplane.local", "studio-staging-my-shop-0123456789ab.cloudplane.local",
                "shop.example.com"), app.getSpec().getRules().stream().map(r -> r.getHost()).toList());
        var own = app.getSpec().getRules().get(0).getHttp().getPaths().get(0);
        var domain = app.getSpec().getRules().get(2).getHttp().getPaths().get(0);
        assertEquals(own.getPath(), domain.getPath());
        assertEquals(own.getBackend(), domain.getBackend(), "the same backend as the environment's own host");
        assertEquals("https://console.example.com/gateway/sign-in?to=$scheme://$host$escaped_request_uri",
                app.getMetadata().getAnnotations().get("nginx.ingress.kubernetes.io/auth-signin"), "and the same forward authentication");
        assertTrue(app.getSpec().getTls() == null || app.getSpec().getTls().isEmpty());
        var paths = ingress("env-" + envId + "-gateway");
        assertEquals("/_cloudplane/", paths.getSpec().getRules().get(2).getHttp().getPaths().get(0).getPath());
        assertEquals("shop.example.com", paths.getSpec().getRules().get(2).getHost());

        var certified = new io.cloudplane.infra.runtime.DomainRoute(envId, domainId, "shop.example.com", "CHAIN PEM", "KEY PEM");
        runtime.publishDomain(certified);
        runtime.publishDomain(certified); // idempotent
        String secretName = "env-" + envId + "-domain-" + domainId;
        var secret = client.secrets().inNamespace(ns()).withName(secretName).get();
        assertEquals("kubernetes.io/tls", secret.getType());
        assertEquals(Map.of("tls.crt", "CHAIN PEM", "tls.key", "KEY PEM"), secret.getStringData());
        assertEquals(envId, secret.getMetadata().getLabels().get("cloudplane.io/environment"));
        assertEquals(appId, secret.getMetadata().getLabels().get("cloudplane.io/app"));
        app = ingress("env-" + envId);
        assertEquals(3, app.getSpec().getRules().size());
        assertEquals(1, app.getSpec().getTls().size());
        assertEquals(List.of("shop.example.com"), app.getSpec().getTls().get(0).getHosts());
        assertEquals(secretName, app.getSpec().getTls().get(0).getSecretName());

        // an update, a restart path or a provisioning applies the environment's objects again: the domain stays
        runtime.start(new ServerSpec(envId, new ServerVersion("1.2.0", null, "ghcr.io/cloudplane/server:1.2.0"), null,
                spec.databaseUrl(), "env_x", "s3cret-password"));
        app = ingress("env-" + envId);
        assertEquals("1.2.0", app.getMetadata().getLabels().get("app.kubernetes.io/version"));
        assertEquals(List.of("staging-my-shop-0123456789ab.cloudplane.local", "studio-staging-my-shop-0123456789ab.cloudplane.local",
                "shop.example.com"), app.getSpec().getRules().stream().map(r -> r.getHost()).toList());
        assertEquals(secretName, app.getSpec().getTls().get(0).getSecretName());
        assertEquals(3, ingress("env-" + envId + "-gateway").getSpec().getRules().size());

        runtime.withdrawDomain(envId, domainId, "shop.example.com");
        runtime.withdrawDomain(envId, domainId, "shop.example.com"); // idempotent
        app = ingress("env-" + envId);
        assertEquals(2, app.getSpec().getRules().size());
        assertTrue(app.getSpec().getTls() == null || app.getSpec().getTls().isEmpty());
        assertEquals(2, ingress("env-" + envId + "-gateway").getSpec().getRules().size());
        assertNull(client.secrets().inNamespace(ns()).withName(secretName).get());

        // removing the environment removes a domain's Secret with the rest (by label)
        runtime.publishDomain(certified);
        runtime.remove(envId);
        assertNull(client.secrets().inNamespace(ns()).withName(secretName).get());
    }

    private io.fabric8.kubernetes.api.model.networking.v1.Ingress ingress(String name) {
        return client.network().v1().ingresses().inNamespace(ns()).withName(name).get();
    }

    @Test
    void productionHasNoStudioHost() {
        runtime(false).start(spec);
        var ingress = client.network().v1().ingresses().inNamespace(ns()).withName("env-" + envId).get();
        assertEquals(List.of("staging-my-shop-0123456789ab.cloudplane.local"), ingress.getSpec().getRules().stream().map(r -> r.getHost()).toList());
    }

    @Test
    void applyingTwiceGivesTheSameObjects() {
        KubernetesRuntime runtime = runtime(true);
        runtime.start(spec);
        Deployment first = deployment();
        runtime.start(spec);
        Deployment second = deployment();
        assertEquals(first.getSpec(), second.getSpec());
        assertEquals(1, client.apps().deployments().inNamespace(ns()).list().getItems().size());
        assertEquals(1, client.secrets().inNamespace(ns()).list().getItems().size());
        assertEquals(1, client.persistentVolumeClaims().inNamespace(ns()).list().getItems().size());
        // The server's Service and Ingress, and the way to Cloudplane (an ExternalName Service, an Ingress for /_cloudplane/).
        assertEquals(2, client.services().inNamespace(ns()).list().getItems().size());
        assertEquals(2, client.network().v1().ingresses().inNamespace(ns()).list().getItems().size());
    }

    @Test
    void aBoundClaimAndTheNamespaceAreNeverReplaced() {
        KubernetesRuntime runtime = runtime(true);
        runtime.start(spec);
        // What the cluster and an admin add: the claim's volume once bound, a pod-security label.
        client.persistentVolumeClaims().inNamespace(ns()).withName("env-" + envId + "-resources")
                .edit(c -> { c.getSpec().setVolumeName("pvc-1234"); return c; });
        client.namespaces().withName(ns()).edit(n -> { n.getMetadata().getLabels().put("pod-security.kubernetes.io/enforce", "baseline");
            return n; });
        runtime.stop(envId);
        runtime.start(spec);
        assertEquals("pvc-1234", client.persistentVolumeClaims().inNamespace(ns()).withName("env-" + envId + "-resources").get()
                .getSpec().getVolumeName(), "a replace would be refused by a real cluster: a bound claim's spec is immutable");
        assertEquals("baseline", client.namespaces().withName(ns()).get().getMetadata().getLabels().get("pod-security.kubernetes.io/enforce"));
        assertEquals(1, deployment().getSpec().getReplicas());
    }

    @Test
    void stopScalesToZeroStartToOneAndRestartChangesThePodTemplate() {
        KubernetesRuntime runtime = runtime(true);
        runtime.start(spec);
        assertTrue(runtime.isRunning(envId));
        runtime.stop(envId);
        assertEquals(0, deployment().getSpec().getReplicas());
        assertFalse(runtime.isRunning(envId));
        runtime.stop(envId); // idempotent
        assertNotNull(client.persistentVolumeClaims().inNamespace(ns()).withName("env-" + envId + "-resources").get(), "the data stays");
        runtime.start(spec);
        assertEquals(1, deployment().getSpec().getReplicas());

        var before = deployment().getSpec().getTemplate().getMetadata().getAnnotations();
        assertTrue(before == null || !before.containsKey(KubernetesRuntime.RESTARTED_AT));
        assertTrue(runtime.restartInPlace(envId), "a rollout restart, not a stop and a start");
        assertEquals(1, deployment().getSpec().getReplicas());
        assertEquals("2026-11-23T01:30:00Z",
                deployment().getSpec().getTemplate().getMetadata().getAnnotations().get(KubernetesRuntime.RESTARTED_AT));
        runtime.start(spec); // already running: the same template, so no second rollout
        assertEquals("2026-11-23T01:30:00Z",
                deployment().getSpec().getTemplate().getMetadata().getAnnotations().get(KubernetesRuntime.RESTARTED_AT));
    }

    @Test
    void deleteRemovesEveryObjectOfTheEnvironmentByLabelAndNoOther() {
        KubernetesRuntime runtime = runtime(true);
        runtime.start(spec);
        String other = UUID.randomUUID().toString();
        runtime.start(new ServerSpec(other, spec.version(), null, spec.databaseUrl(), "env_y", "pw"));

        runtime.remove(envId); // what environment deletion calls

        assertNull(deployment());
        assertNull(client.secrets().inNamespace(ns()).withName("env-" + envId + "-db").get());
        assertNull(client.persistentVolumeClaims().inNamespace(ns()).withName("env-" + envId + "-resources").get());
        assertNull(client.services().inNamespace(ns()).withName("env-" + envId).get());
        assertNull(client.network().v1().ingresses().inNamespace(ns()).withName("env-" + envId).get());
        assertNull(client.services().inNamespace(ns()).withName("env-" + envId + "-gateway").get());
        assertNull(client.network().v1().ingresses().inNamespace(ns()).withName("env-" + envId + "-gateway").get());
        assertNotNull(client.apps().deployments().inNamespace(ns()).withName("env-" + other).get(), "the other environment stays");
        assertNotNull(client.services().inNamespace(ns()).withName("env-" + other + "-gateway").get(), "with its way to Cloudplane");
        assertNotNull(client.network().v1().ingresses().inNamespace(ns()).withName("env-" + other + "-gateway").get());
        runtime.delete(envId); // idempotent
    }

    @Test
    void healthFollowsTheDeploymentAndAStuckRolloutGivesTheClustersReason() {
        KubernetesRuntime runtime = runtime(true);
        runtime.start(spec);
        HealthReport waiting = runtime.checkHealth(envId);
        assertFalse(waiting.healthy());
        assertTrue(waiting.processAlive(), "not ready yet is not a failure");

        Deployment stuck = deployment();
        stuck.setStatus(new DeploymentStatusBuilder().withObservedGeneration(stuck.getMetadata().getGeneration()).withReadyReplicas(0)
                .withConditions(new DeploymentConditionBuilder()
                .withType("Progressing").withStatus("False").withReason("ProgressDeadlineExceeded")
                .withMessage("ReplicaSet \"env-x-5d\" has timed out progressing.").build()).build());
        client.apps().deployments().inNamespace(ns()).resource(stuck).updateStatus();
        HealthReport failed = runtime.checkHealth(envId);
        assertFalse(failed.healthy());
        assertFalse(failed.processAlive(), "a wait for health ends at once");
        assertTrue(failed.detail().startsWith("ProgressDeadlineExceeded: "), failed.detail());

        Deployment ready = deployment();
        ready.setStatus(new DeploymentStatusBuilder().withReadyReplicas(1).withUpdatedReplicas(1).withAvailableReplicas(1).build());
        client.apps().deployments().inNamespace(ns()).resource(ready).updateStatus();
        assertEquals("the rollout is not observed yet", runtime.checkHealth(envId).detail(),
                "a status without observedGeneration (left out when 0) is not the controller's view of this spec");
        ready = deployment();
        ready.setStatus(new DeploymentStatusBuilder().withObservedGeneration(ready.getMetadata().getGeneration())
                .withReadyReplicas(1).withUpdatedReplicas(1).withAvailableReplicas(1).build());
        client.apps().deployments().inNamespace(ns()).resource(ready).updateStatus();
        assertTrue(runtime.checkHealth(envId).healthy());
    }

    @Test
    void anUpdateRollsTheDeploymentToTheNewImageAndIsHealthyOnlyOnceTheRolloutIsComplete() {
        KubernetesRuntime runtime = runtime(true);
        ServerSpec previous = new ServerSpec(envId, new ServerVersion("1.0.0", null, "ghcr.io/cloudplane/server:1.0.0"), null,
                spec.databaseUrl(), spec.databaseUser(), spec.databasePassword());
        runtime.start(previous);
        runtime.restartInPlace(envId);
        Deployment before = deployment();
        long generationBefore = before.getMetadata().getGeneration();
        setStatus(generationBefore, 1, 1);
        assertTrue(runtime.checkHealth(envId).healthy(), "1.0.0 serves");

        runtime.startUpdate(spec);

        Deployment rolling = deployment();
        var template = rolling.getSpec().getTemplate();
        assertEquals("ghcr.io/cloudplane/server:1.1.0", template.getSpec().getContainers().get(0).getImage());
        assertEquals("1.1.0", rolling.getMetadata().getLabels().get("app.kubernetes.io/version"));
        assertEquals("1.1.0", template.getMetadata().getLabels().get("app.kubernetes.io/version"));
        assertEquals(before.getSpec().getSelector(), rolling.getSpec().getSelector(), "a selector cannot change: the Service follows it");
        assertEquals("2026-11-23T01:30:00Z", template.getMetadata().getAnnotations().get(KubernetesRuntime.RESTARTED_AT),
                "the last restart's annotation stays");
        // The mock API server counts generations like a cluster: a spec change increments metadata.generation.
        long generation = rolling.getMetadata().getGeneration();
        assertTrue(generation > generationBefore, generation + " after " + generationBefore);

        // The controller has not seen the new spec yet: the ready replica is the old version's.
        setStatus(generationBefore, 1, 1);
        HealthReport unobserved = runtime.checkUpdateHealth(envId);
        assertFalse(unobserved.healthy(), unobserved.toString());
        assertTrue(unobserved.processAlive(), "a rollout under way is not a failure");
        assertEquals("the rollout is not observed yet", unobserved.detail());

        // Seen, but no replica of the new ReplicaSet yet, while the old ReplicaSet's count of ready pods lags.
        // A cluster leaves updatedReplicas out when it is 0 (omitempty): absent is none, not "unknown".
        for (Integer none : new Integer[] {0, null}) {
            setStatus(generation, none, 1);
            HealthReport notUpdated = runtime.checkUpdateHealth(envId);
            assertFalse(notUpdated.healthy(), notUpdated.toString());
            assertTrue(notUpdated.processAlive());
            assertEquals("0 of 1 replica(s) updated", notUpdated.detail());
        }

        setStatus(generation, 1, 1);
        assertTrue(runtime.checkUpdateHealth(envId).healthy(), runtime.checkUpdateHealth(envId).toString());
        assertEquals(runtime.startUpdate(spec), runtime.startUpdate(spec), "idempotent");
        assertEquals(generation, deployment().getMetadata().getGeneration(), "the same spec again: no new rollout");

        runtime.abandonUpdate(previous);

        Deployment back = deployment();
        assertEquals("ghcr.io/cloudplane/server:1.0.0", back.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals("1.0.0", back.getSpec().getTemplate().getMetadata().getLabels().get("app.kubernetes.io/version"));
        assertEquals(before.getSpec().getSelector(), back.getSpec().getSelector());
        assertTrue(back.getMetadata().getGeneration() > generation, "rolling back is a rollout too");
        assertFalse(runtime.checkHealth(envId).healthy(), "not healthy before the rollback is observed");
    }

    /** What the Deployment controller would report: the generation it saw, and its replicas. */
    private void setStatus(long observedGeneration, Integer updatedReplicas, int readyReplicas) {
        Deployment d = deployment();
        d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(observedGeneration).withReplicas(1)
                .withUpdatedReplicas(updatedReplicas).withReadyReplicas(readyReplicas).withAvailableReplicas(readyReplicas).build());
        client.apps().deployments().inNamespace(ns()).resource(d).updateStatus();
    }

    @Test
    void anImageThatCannotBePulledIsReportedWithItsReason() {
        KubernetesRuntime runtime = runtime(true);
        runtime.start(spec);
        client.pods().inNamespace(ns()).resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("env-pod")
                .withNamespace(ns()).withLabels(deployment().getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
                .withNewStatus().addNewContainerStatus().withName("server").withNewState().withNewWaiting()
                .withReason("ImagePullBackOff").withMessage("Back-off pulling image \"ghcr.io/cloudplane/server:1.1.0\"")
                .endWaiting().endState().endContainerStatus().endStatus().build()).create();
        HealthReport report = runtime.checkHealth(envId);
        assertFalse(report.processAlive());
        assertEquals("ImagePullBackOff: Back-off pulling image \"ghcr.io/cloudplane/server:1.1.0\"", report.detail());
    }

    @Test
    void aRollBackFromAnImageThatCannotBePulledWaitsForItsOwnRolloutNotTheBrokenPod() {
        KubernetesRuntime runtime = runtime(true);
        runtime.start(spec);
        ServerSpec broken = new ServerSpec(envId, new ServerVersion("1.2.0", null, "ghcr.io/cloudplane/server:1.2.0"), null,
                spec.databaseUrl(), spec.databaseUser(), spec.databasePassword());
        runtime.startUpdate(broken);
        Deployment updating = deployment();
        updating.setStatus(new DeploymentStatusBuilder().withObservedGeneration(updating.getMetadata().getGeneration()).withReplicas(1)
                .withUpdatedReplicas(1).withConditions(new DeploymentConditionBuilder().withType("Progressing").withStatus("False")
                        .withReason("ProgressDeadlineExceeded").withMessage("ReplicaSet has timed out progressing.").build()).build());
        client.apps().deployments().inNamespace(ns()).resource(updating).updateStatus();
        client.pods().inNamespace(ns()).resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("env-pod-new")
                .withNamespace(ns()).withLabels(deployment().getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
                .withNewStatus().addNewContainerStatus().withName("server").withNewState().withNewWaiting()
                .withReason("ImagePullBackOff").withMessage("Back-off pulling image").endWaiting().endState().endContainerStatus()
                .endStatus().build()).create();
        HealthReport failed = runtime.checkUpdateHealth(envId);
        assertFalse(failed.processAlive(), "the update fails at once: " + failed);

        long failedGeneration = deployment().getMetadata().getGeneration();
        runtime.abandonUpdate(spec);
        assertEquals("ghcr.io/cloudplane/server:1.1.0", deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        // A cluster keeps the status across a spec change until its controller observes it (the mock
        // replaces it): the failed rollout's status, as the roll-back's first probe sees it.
        Deployment reapplied = deployment();
        assertTrue(reapplied.getMetadata().getGeneration() > failedGeneration, "the roll-back is a new generation");
        reapplied.setStatus(new DeploymentStatusBuilder(updating.getStatus()).withObservedGeneration(failedGeneration).build());
        client.apps().deployments().inNamespace(ns()).resource(reapplied).updateStatus();
        HealthReport stale = runtime.checkHealth(envId);
        assertTrue(stale.processAlive(), "the failed rollout's condition is not the roll-back's: " + stale);
        assertEquals("the rollout is not observed yet", stale.detail());

        Deployment rollingBack = deployment();
        rollingBack.setStatus(new DeploymentStatusBuilder().withObservedGeneration(rollingBack.getMetadata().getGeneration())
                .withReplicas(1).withUpdatedReplicas(0).build());
        client.apps().deployments().inNamespace(ns()).resource(rollingBack).updateStatus();
        HealthReport waiting = runtime.checkHealth(envId);
        assertTrue(waiting.processAlive(), "the 1.2.0 pod's ImagePullBackOff is not the previous version's: " + waiting);
        assertFalse(waiting.healthy());

        Deployment back = deployment();
        back.setStatus(new DeploymentStatusBuilder().withObservedGeneration(back.getMetadata().getGeneration()).withReplicas(1)
                .withUpdatedReplicas(1).withReadyReplicas(1).withAvailableReplicas(1).build());
        client.apps().deployments().inNamespace(ns()).resource(back).updateStatus();
        assertTrue(runtime.checkHealth(envId).healthy());
    }
}
