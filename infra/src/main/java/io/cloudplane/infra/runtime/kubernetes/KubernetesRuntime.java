package io.cloudplane.infra.runtime.kubernetes;

import io.cloudplane.infra.runtime.DomainRoute;
import io.cloudplane.infra.runtime.EnvironmentRuntime;
import io.cloudplane.infra.runtime.HealthReport;
import io.cloudplane.infra.runtime.ServerEndpoint;
import io.cloudplane.infra.runtime.ServerSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static io.cloudplane.infra.runtime.kubernetes.KubernetesManifests.ENV_LABEL;
import static io.cloudplane.infra.runtime.kubernetes.KubernetesManifests.MANAGED_BY;
import static io.cloudplane.infra.runtime.kubernetes.KubernetesManifests.MANAGED_BY_LABEL;

/**
 * Environments as Kubernetes objects (fabric8): the objects {@link KubernetesManifests} describes,
 * created, or updated in place when they exist, so that every call is idempotent; stop and start by
 * scale; health from the rollout ({@link RolloutHealth}); logs and samples from the pods. This class
 * holds the client calls, and the decisions are those pure classes'.
 */
public class KubernetesRuntime implements EnvironmentRuntime {
    public static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

    /**
     * Where an environment belongs: its app's ID, its host label (the environment's {@code host_label},
     * unique across users, which its host names are made of), and whether it has a Studio.
     */
    public record Target(String appId, String hostLabel, boolean studio) {
    }

    private final KubernetesClient client;
    private final KubernetesManifests manifests;
    private final Function<String, Target> targets;
    private final Clock clock;
    private final KubernetesCodeDelivery code;

    /** {@code consoleUrl}: {@code cloudplane.console-url}, where the Ingress sends a browser to sign in. */
    public KubernetesRuntime(KubernetesClient client, KubernetesSettings settings, String consoleUrl, Function<String, Target> targets,
                             Clock clock) {
        this(client, settings, consoleUrl, null, targets, clock);
    }

    /** With {@code sftp} (null: none), each environment's pod gets the SFTP sidecar and its Service (issue 16). */
    public KubernetesRuntime(KubernetesClient client, KubernetesSettings settings, String consoleUrl,
                             @io.micronaut.core.annotation.Nullable KubernetesSftpSidecar sftp, Function<String, Target> targets, Clock clock) {
        this(client, settings, consoleUrl, sftp, null, targets, clock);
    }

    /**
     * With {@code code} (null: none), each environment's code reaches its pod through an init container that
     * fetches the code object the {@link ServerSpec} names (issue 18): every apply signs its URL again.
     */
    public KubernetesRuntime(KubernetesClient client, KubernetesSettings settings, String consoleUrl,
                             @io.micronaut.core.annotation.Nullable KubernetesSftpSidecar sftp,
                             @io.micronaut.core.annotation.Nullable KubernetesCodeDelivery code, Function<String, Target> targets, Clock clock) {
        this.client = client;
        this.code = code;
        this.manifests = new KubernetesManifests(settings, consoleUrl, sftp, code);
        this.targets = targets;
        this.clock = clock;
    }

    @Override
    public ServerEndpoint start(ServerSpec spec) {
        Target t = targets.apply(spec.envId());
        Optional<Deployment> existing = deployment(KubernetesManifests.namespace(t.appId()), spec.envId());
        for (HasMetadata object : manifests.all(spec, t)) {
            if (object instanceof Deployment d && existing.isPresent()) {
                // Keep the last rollout restart's annotation: applying the same spec again must not restart the pods.
                // The code's annotation is the spec's: other code rolls the Deployment (so do the init container's arguments).
                Map<String, String> fresh = d.getSpec().getTemplate().getMetadata().getAnnotations();
                Map<String, String> kept = existing.get().getSpec().getTemplate().getMetadata().getAnnotations();
                Map<String, String> annotations = kept == null ? new LinkedHashMap<>() : new LinkedHashMap<>(kept);
                annotations.remove(KubernetesCodeDelivery.CODE_ANNOTATION);
                if (fresh != null && fresh.containsKey(KubernetesCodeDelivery.CODE_ANNOTATION)) {
                    annotations.put(KubernetesCodeDelivery.CODE_ANNOTATION, fresh.get(KubernetesCodeDelivery.CODE_ANNOTATION));
                }
                d.getSpec().getTemplate().getMetadata().setAnnotations(annotations.isEmpty() && kept == null ? null : annotations);
            }
            if (object instanceof Ingress ingress) {
                // keep the custom domains published on it (publishDomain): the Ingress is where they are kept
                KubernetesManifests.carryDomains(ingress, client.resource(ingress).get());
            }
            if (object instanceof Namespace || object instanceof PersistentVolumeClaim) {
                // Created once, never replaced: a bound claim's spec is immutable (the cluster filled in its
                // volumeName), and a namespace may carry labels its admins set (pod security).
                createIfAbsent(object);
            } else {
                client.resource(object).createOr(NonDeletingOperation::update);
            }
        }
        return new ServerEndpoint(null, manifests.previewUrl(t));
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

    /**
     * The environment's objects applied with {@code spec} (its code, a freshly signed URL): when that changes the
     * code the pods run, the Deployment rolls by itself; otherwise a rollout restart. One roll either way.
     */
    @Override
    public boolean restartInPlace(ServerSpec spec) {
        Optional<Deployment> before = deployment(spec.envId());
        if (before.isEmpty()) {
            return false;
        }
        start(spec);
        String wanted = code == null || spec.code() == null ? null : spec.code().sha256(); // what the template now names
        if (!java.util.Objects.equals(codeOf(before.get()), wanted)) {
            return true;
        }
        return restart(spec.envId());
    }

    /**
     * A freshly signed URL in the environment's code Secret, when its Deployment fetches {@code code}: a pod that
     * starts again later (an eviction, a drained node) finds a valid one. The pod template does not change, so
     * nothing rolls.
     */
    @Override
    public boolean renewCodeUrl(String envId, ServerSpec.Code code) {
        if (this.code == null) {
            return false;
        }
        String ns = KubernetesManifests.namespace(targets.apply(envId).appId());
        Optional<Deployment> d = deployment(ns, envId);
        var secret = client.secrets().inNamespace(ns).withName(KubernetesManifests.codeSecretName(envId));
        if (d.isEmpty() || !code.sha256().equals(codeOf(d.get())) || secret.get() == null) {
            return false;
        }
        String url = this.code.presign(code.objectKey()).toString();
        secret.edit(current -> {
            Map<String, String> data = current.getData() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(current.getData());
            data.put(KubernetesCodeDelivery.URL_KEY, java.util.Base64.getEncoder().encodeToString(url.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            current.setData(data);
            current.setStringData(null);
            return current;
        });
        return true;
    }

    /** The SHA-256 of the code a Deployment's pods fetch, or null. */
    public static String codeOf(Deployment d) {
        Map<String, String> annotations = d.getSpec().getTemplate().getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(KubernetesCodeDelivery.CODE_ANNOTATION);
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

    /**
     * A custom domain: its certificate in a TLS Secret of its own (labelled like the environment's
     * objects), and a rule for its host (with the TLS entry, once it has a certificate) in both of the
     * environment's Ingresses, the forward-authenticated one and the one of {@code /_cloudplane/}.
     * Idempotent; the environment's objects must exist (it was started once).
     */
    @Override
    public void publishDomain(DomainRoute route) {
        String ns = KubernetesManifests.namespace(targets.apply(route.envId()).appId());
        List<String> names = List.of(KubernetesManifests.name(route.envId()), KubernetesManifests.gatewayServiceName(route.envId()));
        Ingress app = ingress(ns, names.get(0));
        ingress(ns, names.get(1));
        String secretName = null;
        if (route.chainPem() != null && route.privateKeyPem() != null) {
            Secret secret = KubernetesManifests.domainSecret(route, app);
            client.resource(secret).createOr(NonDeletingOperation::update);
            secretName = secret.getMetadata().getName();
        } else {
            client.secrets().inNamespace(ns).withName(KubernetesManifests.domainSecretName(route.envId(), route.domainId())).delete();
        }
        String tls = secretName;
        for (String name : names) {
            client.network().v1().ingresses().inNamespace(ns).withName(name)
                    .edit(current -> KubernetesManifests.withDomain(current, route.hostname(), tls));
        }
    }

    /** Removes a custom domain's rules, TLS entries and Secret; nothing when they are not there. */
    @Override
    public void withdrawDomain(String envId, String domainId, String hostname) {
        String ns = KubernetesManifests.namespace(targets.apply(envId).appId());
        for (String name : List.of(KubernetesManifests.name(envId), KubernetesManifests.gatewayServiceName(envId))) {
            if (client.network().v1().ingresses().inNamespace(ns).withName(name).get() != null) {
                client.network().v1().ingresses().inNamespace(ns).withName(name)
                        .edit(current -> KubernetesManifests.withoutDomain(current, hostname));
            }
        }
        client.secrets().inNamespace(ns).withName(KubernetesManifests.domainSecretName(envId, domainId)).delete();
    }

    private Ingress ingress(String ns, String name) {
        Ingress ingress = client.network().v1().ingresses().inNamespace(ns).withName(name).get();
        if (ingress == null) {
            throw new IllegalStateException("Ingress " + ns + "/" + name + " does not exist: the environment's server was never started");
        }
        return ingress;
    }

    /** Removes every object of the environment, found by its label. */
    public void delete(String envId) {
        String ns = KubernetesManifests.namespace(targets.apply(envId).appId());
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

    /** One look at the rollout (see {@link RolloutHealth}); the pods are listed only when its status does not decide. */
    @Override
    public HealthReport checkHealth(String envId) {
        Optional<Deployment> found = deployment(envId);
        if (found.isEmpty()) {
            return new HealthReport(false, false, "the environment has no Deployment");
        }
        Deployment d = found.get();
        return RolloutHealth.fromStatus(d).orElseGet(() -> RolloutHealth.fromPods(d, pods(d)));
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
        for (Pod pod : client.pods().inAnyNamespace().withLabel(MANAGED_BY_LABEL, MANAGED_BY).list().getItems()) {
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
        for (var metrics : client.top().pods().withLabels(Map.of(MANAGED_BY_LABEL, MANAGED_BY)).metrics().getItems()) {
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
        return deployment(KubernetesManifests.namespace(targets.apply(envId).appId()), envId);
    }

    private Optional<Deployment> deployment(String ns, String envId) {
        return Optional.ofNullable(client.apps().deployments().inNamespace(ns).withName(KubernetesManifests.name(envId)).get());
    }
}
