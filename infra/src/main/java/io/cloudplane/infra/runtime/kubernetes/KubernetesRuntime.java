package io.cloudplane.infra.runtime.kubernetes;

import io.cloudplane.infra.runtime.EnvironmentRuntime;
import io.cloudplane.infra.runtime.HealthReport;
import io.cloudplane.infra.runtime.ServerEndpoint;
import io.cloudplane.infra.runtime.ServerSpec;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRuleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Environments as Kubernetes objects (fabric8): per app a namespace {@code cp-<appId>}; per
 * environment a Secret with the database connection, a PersistentVolumeClaim for the resource
 * files, a Deployment of the server version's image with readiness and liveness probes on
 * {@code /_health}, a Service, and an Ingress for the preview host (and the Studio host for
 * development and staging). Every object carries the recommended labels and
 * {@code cloudplane.io/app} and {@code cloudplane.io/environment}. Every call is idempotent: objects
 * are created, or updated in place when they exist.
 */
public class KubernetesRuntime implements EnvironmentRuntime {
    public static final String MANAGED_BY = "cloudplane";
    public static final String APP_LABEL = "cloudplane.io/app";
    public static final String ENV_LABEL = "cloudplane.io/environment";
    public static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
    public static final String VERSION_LABEL = "app.kubernetes.io/version";
    private static final List<String> BROKEN = List.of("ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff",
            "InvalidImageName", "CreateContainerConfigError", "CreateContainerError", "RunContainerError");

    /** Where an environment belongs: its app's ID and name, its own name, and whether it has Studio. */
    public record Target(String appId, String appName, String envName, boolean studio) {
    }

    private final KubernetesClient client;
    private final KubernetesSettings settings;
    private final Function<String, Target> targets;
    private final Clock clock;

    public KubernetesRuntime(KubernetesClient client, KubernetesSettings settings, Function<String, Target> targets, Clock clock) {
        this.client = client;
        this.settings = settings;
        this.targets = targets;
        this.clock = clock;
    }

    public static String namespace(String appId) {
        return "cp-" + appId;
    }

    public static String name(String envId) {
        return "env-" + envId;
    }

    public String previewHost(Target t) {
        return dns(t.envName()) + "-" + dns(t.appName()) + "." + settings.baseDomain();
    }

    public String studioHost(Target t) {
        return "studio-" + previewHost(t);
    }

    @Override
    public ServerEndpoint start(ServerSpec spec) {
        Target t = targets.apply(spec.envId());
        Optional<Deployment> existing = deployment(namespace(t.appId()), spec.envId());
        for (HasMetadata object : manifests(spec, t)) {
            if (object instanceof Deployment d && existing.isPresent()) {
                // Keep the last rollout restart's annotation: applying the same spec again must not restart the pods.
                d.getSpec().getTemplate().getMetadata().setAnnotations(existing.get().getSpec().getTemplate().getMetadata().getAnnotations());
            }
            if (object instanceof Namespace || object instanceof PersistentVolumeClaim) {
                // Created once, never replaced: a bound claim's spec is immutable (the cluster filled in its
                // volumeName), and a namespace may carry labels its admins set (pod security).
                createIfAbsent(object);
            } else {
                client.resource(object).createOr(NonDeletingOperation::update);
            }
        }
        return new ServerEndpoint(null, (settings.tls() ? "https://" : "http://") + previewHost(t) + "/");
    }

    private void createIfAbsent(HasMetadata object) {
        if (client.resource(object).get() != null) {
            return;
        }
        try {
            client.resource(object).create();
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            // created meanwhile by a concurrent start: as good as ours
        }
    }

    /** Every object of the environment, in the order they are applied. */
    public List<HasMetadata> manifests(ServerSpec spec, Target t) {
        String ns = namespace(t.appId());
        String name = name(spec.envId());
        Map<String, String> labels = labels(spec, t);
        Namespace namespace = new NamespaceBuilder().withNewMetadata().withName(ns)
                .withLabels(Map.of("app.kubernetes.io/managed-by", MANAGED_BY, APP_LABEL, t.appId())).endMetadata().build();
        Secret secret = new SecretBuilder().withNewMetadata().withName(name + "-db").withNamespace(ns).withLabels(labels).endMetadata()
                .withType("Opaque")
                .withStringData(new LinkedHashMap<>(Map.of("DATABASE_URL", spec.databaseUrl(), "DATABASE_USERNAME", spec.databaseUser(),
                        "DATABASE_PASSWORD", spec.databasePassword())))
                .build();
        PersistentVolumeClaim claim = new PersistentVolumeClaimBuilder().withNewMetadata().withName(name + "-resources")
                .withNamespace(ns).withLabels(labels).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(settings.storageClass())
                .withNewResources().withRequests(Map.of("storage", new Quantity(settings.storageSize()))).endResources()
                .endSpec().build();
        Map<String, String> selector = Map.of(ENV_LABEL, spec.envId(), "app.kubernetes.io/name", "cloudplane-server");
        Deployment deployment = new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(ns).withLabels(labels).endMetadata()
                .withNewSpec().withReplicas(1)
                .withNewSelector().withMatchLabels(selector).endSelector()
                .withNewStrategy().withType("Recreate").endStrategy() // one server writes the volume at a time
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec()
                .addNewContainer().withName("server").withImage(spec.version().image())
                .addNewPort().withName("http").withContainerPort(settings.containerPort()).endPort()
                .addNewEnv().withName("PORT").withValue(Integer.toString(settings.containerPort())).endEnv()
                .addNewEnv().withName("CODE_DIR").withValue("/srv/code").endEnv()
                .addNewEnv().withName("RESOURCES_DIR").withValue("/srv/resources").endEnv()
                .addNewEnv().withName("CLOUDPLANE_ENV_ID").withValue(spec.envId()).endEnv()
                .addNewEnv().withName("CLOUDPLANE_SERVER_VERSION").withValue(spec.version().version()).endEnv()
                .addNewEnvFrom().withNewSecretRef().withName(name + "-db").endSecretRef().endEnvFrom()
                .addNewVolumeMount().withName("resources").withMountPath("/srv/resources").endVolumeMount()
                .withNewReadinessProbe().withNewHttpGet().withPath("/_health").withPort(new IntOrString("http")).endHttpGet()
                .withPeriodSeconds(5).withFailureThreshold(3).endReadinessProbe()
                .withNewLivenessProbe().withNewHttpGet().withPath("/_health").withPort(new IntOrString("http")).endHttpGet()
                .withInitialDelaySeconds(30).withPeriodSeconds(10).withFailureThreshold(6).endLivenessProbe()
                .withNewResources()
                .withRequests(Map.of("cpu", new Quantity(settings.cpuRequest()), "memory", new Quantity(settings.memoryRequest())))
                .withLimits(Map.of("cpu", new Quantity(settings.cpuLimit()), "memory", new Quantity(settings.memoryLimit())))
                .endResources()
                .endContainer()
                .addNewVolume().withName("resources").withNewPersistentVolumeClaim().withClaimName(name + "-resources")
                .endPersistentVolumeClaim().endVolume()
                .endSpec().endTemplate().endSpec().build();
        Service service = new ServiceBuilder().withNewMetadata().withName(name).withNamespace(ns).withLabels(labels).endMetadata()
                .withNewSpec().withSelector(selector)
                .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("http")).endPort()
                .endSpec().build();
        List<IngressRule> rules = new ArrayList<>();
        rules.add(rule(previewHost(t), name));
        if (t.studio()) {
            rules.add(rule(studioHost(t), name));
        }
        Ingress ingress = new IngressBuilder().withNewMetadata().withName(name).withNamespace(ns).withLabels(labels).endMetadata()
                .withNewSpec().withIngressClassName(settings.ingressClass()).withRules(rules).endSpec().build();
        return List.of(namespace, secret, claim, deployment, service, ingress);
    }

    private static IngressRule rule(String host, String service) {
        return new IngressRuleBuilder().withHost(host).withNewHttp().addNewPath().withPath("/").withPathType("Prefix")
                .withNewBackend().withNewService().withName(service).withNewPort().withName("http").endPort().endService()
                .endBackend().endPath().endHttp().build();
    }

    private static Map<String, String> labels(ServerSpec spec, Target t) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "cloudplane-server");
        labels.put("app.kubernetes.io/instance", name(spec.envId()));
        labels.put(VERSION_LABEL, spec.version().version());
        labels.put("app.kubernetes.io/managed-by", MANAGED_BY);
        labels.put(APP_LABEL, t.appId());
        labels.put(ENV_LABEL, spec.envId());
        return labels;
    }

    /**
     * An update is the Deployment applied with the new version's image: Kubernetes rolls it over to a
     * new ReplicaSet (with the Recreate strategy, since one server writes the volume at a time), and
     * {@link #checkHealth} waits for that rollout, not for the old pods.
     */
    @Override
    public ServerEndpoint startUpdate(ServerSpec next) {
        return start(next);
    }

    /** Back to the previous image: the Deployment rolls back to its previous ReplicaSet. */
    @Override
    public ServerEndpoint abandonUpdate(ServerSpec previous) {
        return start(previous);
    }

    /** Scales the Deployment to 0; the objects, the volume and the secret stay. */
    @Override
    public void stop(String envId) {
        deployment(envId).ifPresent(d -> client.apps().deployments().inNamespace(d.getMetadata().getNamespace())
                .withName(d.getMetadata().getName()).scale(0));
    }

    @Override
    public boolean restartInPlace(String envId) {
        return restart(envId);
    }

    @Override
    public void remove(String envId) {
        delete(envId);
    }

    /**
     * A rollout restart: the pod template's annotation changes, so the Deployment replaces its pods.
     * False when the environment has no Deployment.
     */
    public boolean restart(String envId) {
        Optional<Deployment> found = deployment(envId);
        found.ifPresent(d -> client.apps().deployments().inNamespace(d.getMetadata().getNamespace())
                .withName(d.getMetadata().getName()).edit(current -> {
                    var template = current.getSpec().getTemplate().getMetadata();
                    Map<String, String> annotations = template.getAnnotations() == null ? new LinkedHashMap<>()
                            : new LinkedHashMap<>(template.getAnnotations());
                    annotations.put(RESTARTED_AT, clock.instant().toString());
                    template.setAnnotations(annotations);
                    return current;
                }));
        return found.isPresent();
    }

    /** Removes every object of the environment, found by its label. */
    public void delete(String envId) {
        String ns = namespace(targets.apply(envId).appId());
        var byLabel = Map.of(ENV_LABEL, envId);
        client.network().v1().ingresses().inNamespace(ns).withLabels(byLabel).delete();
        client.services().inNamespace(ns).withLabels(byLabel).delete();
        client.apps().deployments().inNamespace(ns).withLabels(byLabel).delete();
        client.persistentVolumeClaims().inNamespace(ns).withLabels(byLabel).delete();
        client.secrets().inNamespace(ns).withLabels(byLabel).delete();
    }

    @Override
    public boolean isRunning(String envId) {
        return deployment(envId).map(d -> d.getSpec().getReplicas() != null && d.getSpec().getReplicas() > 0).orElse(false);
    }

    /**
     * Healthy when the Deployment has a ready replica. Not alive (so a wait ends at once, with the
     * cluster's reason) when it exceeded its progress deadline or a container cannot start: an image
     * that cannot be pulled, a crash loop.
     */
    @Override
    public HealthReport checkHealth(String envId) {
        Optional<Deployment> found = deployment(envId);
        if (found.isEmpty()) {
            return new HealthReport(false, false, "the environment has no Deployment");
        }
        Deployment d = found.get();
        var status = d.getStatus();
        Long generation = d.getMetadata().getGeneration();
        int wanted = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        // As `kubectl rollout status`: the controller must have seen the latest spec, and every replica
        // must run it, so that the old ReplicaSet's ready pods do not pass for the new version's. The API
        // leaves a 0 out (omitempty), so an absent observedGeneration or updatedReplicas means none.
        boolean observed = generation == null || status == null
                || (status.getObservedGeneration() == null ? 0 : status.getObservedGeneration()) >= generation;
        int updatedReplicas = status == null || status.getUpdatedReplicas() == null ? 0 : status.getUpdatedReplicas();
        boolean updated = status == null || updatedReplicas >= wanted;
        if (observed && updated && status != null && status.getReadyReplicas() != null && status.getReadyReplicas() > 0) {
            return new HealthReport(true, true, "ready: " + status.getReadyReplicas() + " replica(s)");
        }
        if (!observed) {
            // The status (its conditions too) is still the previous spec's: after a roll-back, the failed
            // rollout's ProgressDeadlineExceeded is not this one's.
            return new HealthReport(false, true, "the rollout is not observed yet");
        }
        if (status != null && status.getConditions() != null) {
            for (DeploymentCondition c : status.getConditions()) {
                if ("Progressing".equals(c.getType()) && "False".equals(c.getStatus())) {
                    return new HealthReport(false, false, c.getReason() + ": " + c.getMessage());
                }
            }
        }
        Map<String, String> template = d.getSpec().getTemplate().getMetadata().getLabels();
        String version = template == null ? null : template.get(VERSION_LABEL);
        for (Pod pod : pods(d)) {
            // Only the pods of the current template count: not a terminating one, nor one of the
            // version an update just left (its ImagePullBackOff is not the roll-back's).
            Map<String, String> podLabels = pod.getMetadata().getLabels();
            if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
                    || pod.getMetadata().getDeletionTimestamp() != null
                    || (version != null && (podLabels == null || !version.equals(podLabels.get(VERSION_LABEL))))) {
                continue;
            }
            for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
                if (cs.getState() != null && cs.getState().getWaiting() != null && BROKEN.contains(cs.getState().getWaiting().getReason())) {
                    return new HealthReport(false, false, cs.getState().getWaiting().getReason() + ": "
                            + cs.getState().getWaiting().getMessage());
                }
            }
        }
        return new HealthReport(false, true, !updated ? updatedReplicas + " of " + wanted + " replica(s) updated" : "not ready yet");
    }

    @Override
    public String recentOutput(String envId) {
        return deployment(envId).flatMap(d -> pods(d).stream().findFirst()).map(p -> {
            try {
                return client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName())
                        .tailingLines(50).getLog();
            } catch (RuntimeException e) {
                return "(no logs: " + e.getMessage() + ")";
            }
        }).orElse("");
    }

    /**
     * From metrics.k8s.io: two calls per reading, however many environments and apps: Cloudplane's
     * pods in every namespace (to tell which environment each serves, by its label), and their pod
     * metrics (metrics-server copies the pods' labels, so the same selector applies). CPU is in
     * percent of one core; network figures are not in that API: null.
     */
    @Override
    public Map<String, io.cloudplane.infra.runtime.ServerSample> sample(java.util.Collection<String> envIds) {
        java.util.Set<String> wanted = new java.util.HashSet<>(envIds);
        Map<String, String> envOfPod = new LinkedHashMap<>();
        for (Pod pod : client.pods().inAnyNamespace().withLabel("app.kubernetes.io/managed-by", MANAGED_BY).list().getItems()) {
            String env = pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(ENV_LABEL);
            if (env != null && wanted.contains(env)) {
                envOfPod.put(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName(), env);
            }
        }
        Map<String, io.cloudplane.infra.runtime.ServerSample> result = new LinkedHashMap<>();
        if (envOfPod.isEmpty()) {
            return result;
        }
        Map<String, double[]> usage = new LinkedHashMap<>();
        for (var metrics : client.top().pods().withLabels(Map.of("app.kubernetes.io/managed-by", MANAGED_BY)).metrics().getItems()) {
            String env = envOfPod.get(metrics.getMetadata().getNamespace() + "/" + metrics.getMetadata().getName());
            if (env == null) {
                continue;
            }
            double[] sum = usage.computeIfAbsent(env, k -> new double[2]);
            for (var container : metrics.getContainers()) {
                Quantity cpu = container.getUsage().get("cpu");
                Quantity memory = container.getUsage().get("memory");
                sum[0] += cpu == null ? 0 : cpu.getNumericalAmount().doubleValue();
                sum[1] += memory == null ? 0 : memory.getNumericalAmount().doubleValue();
            }
        }
        usage.forEach((env, sum) -> result.put(env, new io.cloudplane.infra.runtime.ServerSample(sum[0] * 100, (long) sum[1], null, null)));
        return result;
    }

    @Override
    public List<String> tailLog(String envId, int lines) {
        return deployment(envId).flatMap(d -> pods(d).stream().findFirst()).map(p -> {
            String log = client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName())
                    .tailingLines(lines).getLog();
            return log == null || log.isEmpty() ? List.<String>of() : List.of(log.split("\n", -1)).stream()
                    .filter(l -> !l.isEmpty()).toList();
        }).orElse(List.of());
    }

    @Override
    public java.io.InputStream openLog(String envId) {
        return deployment(envId).flatMap(d -> pods(d).stream().findFirst())
                .map(p -> client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName()).getLogInputStream())
                .orElseGet(java.io.InputStream::nullInputStream);
    }

    private List<Pod> pods(Deployment d) {
        return client.pods().inNamespace(d.getMetadata().getNamespace())
                .withLabels(d.getSpec().getSelector().getMatchLabels()).list().getItems();
    }

    private Optional<Deployment> deployment(String envId) {
        return deployment(namespace(targets.apply(envId).appId()), envId);
    }

    private Optional<Deployment> deployment(String ns, String envId) {
        return Optional.ofNullable(client.apps().deployments().inNamespace(ns).withName(name(envId)).get());
    }

    /** A DNS label: lower case letters, digits and hyphens. */
    static String dns(String s) {
        String label = s.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
        return label.isEmpty() ? "x" : label.length() > 30 ? label.substring(0, 30) : label;
    }
}
