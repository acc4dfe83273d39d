package io.cloudplane.infra.runtime.kubernetes;

import io.cloudplane.infra.runtime.ServerSpec;
import io.cloudplane.infra.runtime.kubernetes.KubernetesRuntime.Target;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRuleBuilder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The objects of an environment, as plain values (nothing here talks to a cluster): per app a
 * namespace {@code cp-<appId>}; per environment a Secret with the database connection, a
 * PersistentVolumeClaim for the resource files, a Deployment of the server version's image with
 * readiness and liveness probes on {@code /_health}, a Service, and an Ingress for the preview host
 * (and the Studio host for development and staging). Every object carries the recommended labels
 * and {@code cloudplane.io/app} and {@code cloudplane.io/environment}.
 */
public final class KubernetesManifests {
    public static final String MANAGED_BY = "cloudplane";
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String APP_LABEL = "cloudplane.io/app";
    public static final String ENV_LABEL = "cloudplane.io/environment";
    public static final String VERSION_LABEL = "app.kubernetes.io/version";
    private static final String NAME_LABEL = "app.kubernetes.io/name";
    private static final String SERVER_NAME = "cloudplane-server";
    private static final String HEALTH_PATH = "/_health";

    private final KubernetesSettings settings;

    public KubernetesManifests(KubernetesSettings settings) {
        this.settings = settings;
    }

    public static String namespace(String appId) {
        return "cp-" + appId;
    }

    /** The name of the environment's Deployment, Service and Ingress, and the stem of its Secret's and claim's. */
    public static String name(String envId) {
        return "env-" + envId;
    }

    public static String secretName(String envId) {
        return name(envId) + "-db";
    }

    public static String claimName(String envId) {
        return name(envId) + "-resources";
    }

    public String previewHost(Target t) {
        return previewLabel(t) + "." + settings.baseDomain();
    }

    /** The preview host with "studio-" before it, its first label cut to the 63 characters DNS allows. */
    public String studioHost(Target t) {
        return label("studio-" + previewLabel(t)) + "." + settings.baseDomain();
    }

    /** At most 61 characters: two names of at most 30 and the hyphen between them. */
    private static String previewLabel(Target t) {
        return dns(t.envName()) + "-" + dns(t.appName());
    }

    /** A DNS label: at most 63 characters, and never ending with a hyphen. */
    static String label(String s) {
        return (s.length() > 63 ? s.substring(0, 63) : s).replaceAll("-+$", "");
    }

    /** Where the environment's server answers from outside the cluster. */
    public String previewUrl(Target t) {
        return (settings.tls() ? "https://" : "http://") + previewHost(t) + "/";
    }

    /** Every object of the environment, in the order they are applied. */
    public List<HasMetadata> all(ServerSpec spec, Target t) {
        return List.of(namespace(t), secret(spec, t), claim(spec, t), deployment(spec, t), service(spec, t), ingress(spec, t));
    }

    public Namespace namespace(Target t) {
        return new NamespaceBuilder().withNewMetadata().withName(namespace(t.appId()))
                .withLabels(Map.of(MANAGED_BY_LABEL, MANAGED_BY, APP_LABEL, t.appId())).endMetadata().build();
    }

    /** The database connection, which the Deployment's container reads whole as its environment. */
    public Secret secret(ServerSpec spec, Target t) {
        return new SecretBuilder().withNewMetadata().withName(secretName(spec.envId())).withNamespace(namespace(t.appId()))
                .withLabels(labels(spec, t)).endMetadata()
                .withType("Opaque")
                .withStringData(new LinkedHashMap<>(Map.of("DATABASE_URL", spec.databaseUrl(), "DATABASE_USERNAME", spec.databaseUser(),
                        "DATABASE_PASSWORD", spec.databasePassword())))
                .build();
    }

    public PersistentVolumeClaim claim(ServerSpec spec, Target t) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName(claimName(spec.envId()))
                .withNamespace(namespace(t.appId())).withLabels(labels(spec, t)).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(settings.storageClass())
                .withNewResources().withRequests(Map.of("storage", new Quantity(settings.storageSize()))).endResources()
                .endSpec().build();
    }

    public Deployment deployment(ServerSpec spec, Target t) {
        String name = name(spec.envId());
        Map<String, String> labels = labels(spec, t);
        return new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(namespace(t.appId())).withLabels(labels).endMetadata()
                .withNewSpec().withReplicas(1)
                .withNewSelector().withMatchLabels(selector(spec.envId())).endSelector()
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
                .addNewEnvFrom().withNewSecretRef().withName(secretName(spec.envId())).endSecretRef().endEnvFrom()
                .addNewVolumeMount().withName("resources").withMountPath("/srv/resources").endVolumeMount()
                .withNewReadinessProbe().withNewHttpGet().withPath(HEALTH_PATH).withPort(new IntOrString("http")).endHttpGet()
                .withPeriodSeconds(5).withFailureThreshold(3).endReadinessProbe()
                .withNewLivenessProbe().withNewHttpGet().withPath(HEALTH_PATH).withPort(new IntOrString("http")).endHttpGet()
                .withInitialDelaySeconds(30).withPeriodSeconds(10).withFailureThreshold(6).endLivenessProbe()
                .withNewResources()
                .withRequests(Map.of("cpu", new Quantity(settings.cpuRequest()), "memory", new Quantity(settings.memoryRequest())))
                .withLimits(Map.of("cpu", new Quantity(settings.cpuLimit()), "memory", new Quantity(settings.memoryLimit())))
                .endResources()
                .endContainer()
                .addNewVolume().withName("resources").withNewPersistentVolumeClaim().withClaimName(claimName(spec.envId()))
                .endPersistentVolumeClaim().endVolume()
                .endSpec().endTemplate().endSpec().build();
    }

    public Service service(ServerSpec spec, Target t) {
        return new ServiceBuilder().withNewMetadata().withName(name(spec.envId())).withNamespace(namespace(t.appId()))
                .withLabels(labels(spec, t)).endMetadata()
                .withNewSpec().withSelector(selector(spec.envId()))
                .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("http")).endPort()
                .endSpec().build();
    }

    public Ingress ingress(ServerSpec spec, Target t) {
        String name = name(spec.envId());
        List<IngressRule> rules = new ArrayList<>();
        rules.add(rule(previewHost(t), name));
        if (t.studio()) {
            rules.add(rule(studioHost(t), name));
        }
        return new IngressBuilder().withNewMetadata().withName(name).withNamespace(namespace(t.appId())).withLabels(labels(spec, t))
                .endMetadata().withNewSpec().withIngressClassName(settings.ingressClass()).withRules(rules).endSpec().build();
    }

    private static IngressRule rule(String host, String service) {
        return new IngressRuleBuilder().withHost(host).withNewHttp().addNewPath().withPath("/").withPathType("Prefix")
                .withNewBackend().withNewService().withName(service).withNewPort().withName("http").endPort().endService()
                .endBackend().endPath().endHttp().build();
    }

    /**
     * What picks the environment's pods: not the version, which an update changes (a Deployment's
     * selector cannot change, and the Service follows it).
     */
    private static Map<String, String> selector(String envId) {
        return Map.of(ENV_LABEL, envId, NAME_LABEL, SERVER_NAME);
    }

    private static Map<String, String> labels(ServerSpec spec, Target t) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME_LABEL, SERVER_NAME);
        labels.put("app.kubernetes.io/instance", name(spec.envId()));
        labels.put(VERSION_LABEL, spec.version().version());
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        labels.put(APP_LABEL, t.appId());
        labels.put(ENV_LABEL, spec.envId());
        return labels;
    }

    /** A DNS label: lower case letters, digits and hyphens. */
    static String dns(String s) {
        String label = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
        // Cut, a name could end with a hyphen ("my-shop-…" at 30), which no DNS label may.
        return label.isEmpty() ? "x" : label.length() > 30 ? label.substring(0, 30).replaceAll("-+$", "") : label;
    }
}
