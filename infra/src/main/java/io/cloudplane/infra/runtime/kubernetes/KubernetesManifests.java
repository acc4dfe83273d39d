package io.cloudplane.infra.runtime.kubernetes;

import io.cloudplane.infra.runtime.ServerSpec;
import io.cloudplane.infra.runtime.kubernetes.KubernetesRuntime.Target;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
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
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackendBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLSBuilder;
import io.cloudplane.infra.runtime.DomainRoute;
import io.micronaut.core.annotation.Nullable;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The objects of an environment, as plain values (nothing here talks to a cluster): per app a
 * namespace {@code cp-<appId>}; per environment a Secret with the database connection, a
 * PersistentVolumeClaim for the resource files, a Deployment of the server version's image with
 * readiness and liveness probes on {@code /_health}, a Service (ClusterIP: the server is reached
 * only through the Ingress), and an Ingress for the app's host {@code <hostLabel>.<base-domain>} (and
 * the Studio's, {@code studio-<hostLabel>.<base-domain>}, for development and staging: the names of
 * the gateway's {@code HostNames}). That Ingress asks Cloudplane about every request first
 * (ingress-nginx's forward authentication: {@code auth-url}, {@code auth-signin}, and the identity
 * headers Cloudplane answers passed on to the server). A second Ingress sends {@code /_cloudplane/}
 * of the same hosts, without that check (it is where signing in happens), to Cloudplane itself
 * through an {@code ExternalName} Service. Every object carries the recommended labels and
 * {@code cloudplane.io/app} and {@code cloudplane.io/environment}.
 *
 * <p>A custom domain of the environment (issue 15) is one more rule in both Ingresses, with the same
 * backend as the environment's own hosts, and, once it has a certificate, a {@code tls} entry naming
 * a {@code kubernetes.io/tls} Secret of its own, labelled like the environment's other objects. The
 * Ingresses' current domain rules and TLS entries are carried over whenever the environment's
 * objects are applied again ({@link #carryDomains}).
 *
 * <p>With code delivery (issue 18), the pod has a {@code code} volume (an emptyDir) that the server mounts
 * as its {@code CODE_DIR} (and the SFTP sidecar, read-only, as its {@code /code}); when the environment has
 * code, an init container (Cloudplane's image in its {@code fetch-code} mode) fills it first from the code
 * object's presigned URL, kept in the Secret {@code env-<envId>-code}, checking the SHA-256 its arguments
 * name. The pod template carries that SHA-256 (arguments and the {@code cloudplane.io/code-sha256}
 * annotation), so new code rolls the Deployment and the same code does not.
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
    /** The path of both hosts that goes to Cloudplane itself (sign-in, the gateway's own pages). */
    public static final String GATEWAY_PATH = "/_cloudplane/";
    public static final String AUTH_URL = "nginx.ingress.kubernetes.io/auth-url";
    public static final String AUTH_SIGNIN = "nginx.ingress.kubernetes.io/auth-signin";
    public static final String AUTH_RESPONSE_HEADERS = "nginx.ingress.kubernetes.io/auth-response-headers";
    /** The headers Cloudplane's answer sets and ingress-nginx passes on to the server (issue 14). */
    public static final String IDENTITY_HEADERS = "X-Cloudplane-User-Id,X-Cloudplane-User-Email,X-Cloudplane-Profile,X-Cloudplane-Role";

    private final KubernetesSettings settings;
    private final String consoleUrl;
    private final KubernetesSftpSidecar sftp;
    private final KubernetesCodeDelivery code;

    /** {@code consoleUrl}: {@code cloudplane.console-url}, where a refused browser is sent to sign in. */
    public KubernetesManifests(KubernetesSettings settings, String consoleUrl) {
        this(settings, consoleUrl, null);
    }

    /** With {@code sftp} (null: none), each environment's pod gets the SFTP sidecar and a Service for it (issue 16). */
    public KubernetesManifests(KubernetesSettings settings, String consoleUrl, @Nullable KubernetesSftpSidecar sftp) {
        this(settings, consoleUrl, sftp, null);
    }

    /** With {@code code} (null: none), each environment's code reaches its pod through an init container (issue 18). */
    public KubernetesManifests(KubernetesSettings settings, String consoleUrl, @Nullable KubernetesSftpSidecar sftp,
                               @Nullable KubernetesCodeDelivery code) {
        this.code = code;
        this.settings = settings;
        this.consoleUrl = consoleUrl.endsWith("/") ? consoleUrl.substring(0, consoleUrl.length() - 1) : consoleUrl;
        this.sftp = sftp;
    }

    public static String sftpServiceName(String envId) {
        return name(envId) + "-sftp";
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

    /** The Secret with the presigned URL of the environment's code object. */
    public static String codeSecretName(String envId) {
        return name(envId) + "-code";
    }

    public static String claimName(String envId) {
        return name(envId) + "-resources";
    }

    public static String gatewayServiceName(String envId) {
        return name(envId) + "-gateway";
    }

    /** The {@code kubernetes.io/tls} Secret of a custom domain's certificate. */
    public static String domainSecretName(String envId, String domainId) {
        return name(envId) + "-domain-" + domainId;
    }

    /** A custom domain's certificate, labelled like the Ingress it serves (so it goes with the environment). */
    public static Secret domainSecret(DomainRoute route, Ingress ingress) {
        return new SecretBuilder().withNewMetadata().withName(domainSecretName(route.envId(), route.domainId()))
                .withNamespace(ingress.getMetadata().getNamespace()).withLabels(new LinkedHashMap<>(ingress.getMetadata().getLabels()))
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withStringData(new LinkedHashMap<>(Map.of("tls.crt", route.chainPem(), "tls.key", route.privateKeyPem())))
                .build();
    }

    /**
     * The Ingress with a rule for {@code hostname} (the same path and backend as its first rule, the
     * environment's own host) and, when {@code secretName} is given, a TLS entry for it; whatever it
     * had for that host before is replaced. Changes {@code ingress} and returns it.
     */
    public static Ingress withDomain(Ingress ingress, String hostname, @Nullable String secretName) {
        withoutDomain(ingress, hostname);
        var own = ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0);
        ingress.getSpec().getRules().add(rule(hostname, own.getPath(), own.getBackend().getService()));
        if (secretName != null) {
            List<IngressTLS> tls = ingress.getSpec().getTls() == null ? new ArrayList<>() : new ArrayList<>(ingress.getSpec().getTls());
            tls.add(new IngressTLSBuilder().withHosts(hostname).withSecretName(secretName).build());
            ingress.getSpec().setTls(tls);
        }
        return ingress;
    }

    /** The Ingress without the rule and TLS entry of {@code hostname}. Changes {@code ingress} and returns it. */
    public static Ingress withoutDomain(Ingress ingress, String hostname) {
        ingress.getSpec().setRules(new ArrayList<>(ingress.getSpec().getRules().stream().filter(r -> !hostname.equals(r.getHost())).toList()));
        if (ingress.getSpec().getTls() != null) {
            List<IngressTLS> tls = ingress.getSpec().getTls().stream().filter(t -> t.getHosts() == null || !t.getHosts().contains(hostname)).toList();
            ingress.getSpec().setTls(tls.isEmpty() ? null : new ArrayList<>(tls));
        }
        return ingress;
    }

    /**
     * {@code fresh} (as this class builds it) with the custom domains' rules and TLS entries of
     * {@code current} (the Ingress in the cluster, null when there is none): a rule for any host that
     * is not one of the environment's own, and every TLS entry. Changes {@code fresh} and returns it.
     */
    public static Ingress carryDomains(Ingress fresh, @Nullable Ingress current) {
        if (current == null || current.getSpec() == null) {
            return fresh;
        }
        Set<String> own = new HashSet<>(fresh.getSpec().getRules().stream().map(IngressRule::getHost).toList());
        List<IngressRule> rules = new ArrayList<>(fresh.getSpec().getRules());
        if (current.getSpec().getRules() != null) {
            current.getSpec().getRules().stream().filter(r -> r.getHost() != null && !own.contains(r.getHost())).forEach(rules::add);
        }
        fresh.getSpec().setRules(rules);
        if (current.getSpec().getTls() != null && !current.getSpec().getTls().isEmpty()) {
            fresh.getSpec().setTls(new ArrayList<>(current.getSpec().getTls()));
        }
        return fresh;
    }

    /** The app's host: the environment's label (unique, set by the database) under the base domain. */
    public String previewHost(Target t) {
        return t.hostLabel() + "." + settings.baseDomain();
    }

    /** The Studio's host: "studio-" before the app's (the database keeps labels short enough for it). */
    public String studioHost(Target t) {
        return "studio-" + t.hostLabel() + "." + settings.baseDomain();
    }

    /** Where the environment's server answers from outside the cluster. */
    public String previewUrl(Target t) {
        return (settings.tls() ? "https://" : "http://") + previewHost(t) + "/";
    }

    /** Every object of the environment, in the order they are applied. */
    public List<HasMetadata> all(ServerSpec spec, Target t) {
        List<HasMetadata> all = new ArrayList<>(List.of(namespace(t), secret(spec, t), claim(spec, t)));
        if (code != null && spec.code() != null) {
            all.add(codeSecret(spec, t)); // before the Deployment, whose new pods read it
        }
        if (sftp != null) {
            all.add(sftpConnectionSecret(t));
            all.add(sftpHostKeySecret(t));
        }
        all.addAll(List.of(deployment(spec, t), service(spec, t), ingress(spec, t), gatewayService(spec, t), gatewayIngress(spec, t)));
        if (sftp != null) {
            all.add(sftpService(spec, t));
        }
        return List.copyOf(all);
    }

    /**
     * What the sidecars of the app's namespace read Cloudplane's database with, and its secret key. One per
     * namespace, labelled with the app and not an environment: deleting an environment leaves it to the others.
     */
    public Secret sftpConnectionSecret(Target t) {
        return new SecretBuilder().withNewMetadata().withName(KubernetesSftpSidecar.CONNECTION_SECRET).withNamespace(namespace(t.appId()))
                .withLabels(Map.of(MANAGED_BY_LABEL, MANAGED_BY, APP_LABEL, t.appId())).endMetadata()
                .withType("Opaque").withStringData(new LinkedHashMap<>(sftp.connection())).build();
    }

    /** The one host key of every sidecar (Cloudplane's own, {@code SftpHostKey}), mounted as a file. */
    public Secret sftpHostKeySecret(Target t) {
        return new SecretBuilder().withNewMetadata().withName(KubernetesSftpSidecar.HOST_KEY_SECRET).withNamespace(namespace(t.appId()))
                .withLabels(Map.of(MANAGED_BY_LABEL, MANAGED_BY, APP_LABEL, t.appId())).endMetadata()
                .withType("Opaque").withStringData(new LinkedHashMap<>(Map.of(KubernetesSftpSidecar.HOST_KEY_FILE, sftp.hostKey()))).build();
    }

    /**
     * How clients reach the environment's sidecar: a Service of {@code cloudplane.kubernetes.sftp.service-type}
     * (a LoadBalancer by default: one address per environment) from its {@code port} to the sidecar's.
     */
    public Service sftpService(ServerSpec spec, Target t) {
        return new ServiceBuilder().withNewMetadata().withName(sftpServiceName(spec.envId())).withNamespace(namespace(t.appId()))
                .withLabels(labels(spec, t)).endMetadata()
                .withNewSpec().withType(sftp.settings().serviceType()).withSelector(selector(spec.envId()))
                .addNewPort().withName("sftp").withProtocol("TCP").withPort(sftp.settings().port()).withTargetPort(new IntOrString("sftp")).endPort()
                .endSpec().build();
    }

    /**
     * The presigned URL of the environment's code object, signed now, valid {@code url-lifetime}: a Secret,
     * not the pod's spec, since whoever holds the URL reads the code. Labelled with the environment.
     */
    public Secret codeSecret(ServerSpec spec, Target t) {
        return new SecretBuilder().withNewMetadata().withName(codeSecretName(spec.envId())).withNamespace(namespace(t.appId()))
                .withLabels(labels(spec, t)).endMetadata()
                .withType("Opaque")
                .withStringData(new LinkedHashMap<>(Map.of(KubernetesCodeDelivery.URL_KEY, code.presign(spec.code().objectKey()).toString())))
                .build();
    }

    /**
     * The init container: Cloudplane's image run as {@code fetch-code <folder> <sha256> <limits>}, which downloads
     * the code object, checks its SHA-256 and replaces the code volume's contents with it (or leaves them and
     * fails, so the pod does not start on other code).
     */
    private Container codeFetcher(ServerSpec spec) {
        var limits = code.limits();
        return new ContainerBuilder().withName("fetch-code").withImage(code.settings().image())
                .withArgs(io.cloudplane.infra.code.CodeFetcher.POD_MODE, KubernetesCodeDelivery.FETCH_DIR, spec.code().sha256(),
                        Long.toString(limits.maxArchiveBytes()), Integer.toString(limits.maxEntries()), Long.toString(limits.maxExpandedBytes()))
                .addNewEnv().withName(KubernetesCodeDelivery.URL_KEY).withNewValueFrom().withNewSecretKeyRef()
                .withName(codeSecretName(spec.envId())).withKey(KubernetesCodeDelivery.URL_KEY).endSecretKeyRef().endValueFrom().endEnv()
                .addNewVolumeMount().withName("code").withMountPath(KubernetesCodeDelivery.FETCH_DIR).endVolumeMount()
                .withNewResources()
                .withRequests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("128Mi")))
                .withLimits(Map.of("memory", new Quantity("256Mi")))
                .endResources()
                .build();
    }

    /**
     * The SFTP sidecar: Cloudplane's own image in its SFTP mode (no API, no worker), serving only this
     * environment, whose {@code resources} folder is the volume the server mounts, under {@code /srv}. With
     * code delivery, its {@code /code} is the pod's code volume, read-only: what is written there would be
     * replaced by the next roll and never reach a release.
     */
    private Container sftpContainer(ServerSpec spec) {
        String hostKey = KubernetesSftpSidecar.HOST_KEY_DIR + "/" + KubernetesSftpSidecar.HOST_KEY_FILE;
        return new ContainerBuilder().withName("sftp").withImage(sftp.settings().image())
                .addNewPort().withName("sftp").withContainerPort(KubernetesSftpSidecar.CONTAINER_PORT).withProtocol("TCP").endPort()
                .addNewEnv().withName("CLOUDPLANE_API_ENABLED").withValue("false").endEnv()
                .addNewEnv().withName("CLOUDPLANE_WORKER_ENABLED").withValue("false").endEnv()
                .addNewEnv().withName("CLOUDPLANE_SFTP_ENVIRONMENT").withValue(spec.envId()).endEnv()
                .addNewEnv().withName("CLOUDPLANE_SFTP_FILES_ROOT").withValue("/srv").endEnv()
                .addNewEnv().withName("CLOUDPLANE_SFTP_HOST_KEY").withValue(hostKey).endEnv()
                .addNewEnv().withName("CLOUDPLANE_SFTP_BIND_ADDRESS").withValue("0.0.0.0").endEnv()
                .addNewEnv().withName("CLOUDPLANE_SFTP_PORT").withValue(Integer.toString(KubernetesSftpSidecar.CONTAINER_PORT)).endEnv()
                .addNewEnvFrom().withNewSecretRef().withName(KubernetesSftpSidecar.CONNECTION_SECRET).endSecretRef().endEnvFrom()
                .addNewVolumeMount().withName("resources").withMountPath("/srv/resources").endVolumeMount()
                .addNewVolumeMount().withName("sftp-host-key").withMountPath(KubernetesSftpSidecar.HOST_KEY_DIR).withReadOnly(true).endVolumeMount()
                .withNewReadinessProbe().withNewTcpSocket().withPort(new IntOrString("sftp")).endTcpSocket().withPeriodSeconds(10).endReadinessProbe()
                .withNewResources()
                .withRequests(Map.of("cpu", new Quantity("50m"), "memory", new Quantity("192Mi")))
                .withLimits(Map.of("memory", new Quantity("384Mi")))
                .endResources()
                .build();
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
        Deployment deployment = new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(namespace(t.appId())).withLabels(labels).endMetadata()
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
        var pod = deployment.getSpec().getTemplate().getSpec();
        if (code != null) {
            pod.getVolumes().add(new VolumeBuilder().withName("code").withNewEmptyDir().endEmptyDir().build());
            pod.getContainers().get(0).getVolumeMounts().add(new io.fabric8.kubernetes.api.model.VolumeMountBuilder()
                    .withName("code").withMountPath("/srv/code").build());
            if (spec.code() != null) {
                pod.getInitContainers().add(codeFetcher(spec));
                deployment.getSpec().getTemplate().getMetadata().setAnnotations(
                        new LinkedHashMap<>(Map.of(KubernetesCodeDelivery.CODE_ANNOTATION, spec.code().sha256())));
            }
        }
        if (sftp != null) {
            pod.getContainers().add(sftpContainer(spec));
            if (code != null) {
                pod.getContainers().get(pod.getContainers().size() - 1).getVolumeMounts().add(new io.fabric8.kubernetes.api.model.VolumeMountBuilder()
                        .withName("code").withMountPath("/srv/code").withReadOnly(true).build());
            }
            pod.getVolumes().add(new VolumeBuilder().withName("sftp-host-key").withNewSecret()
                    .withSecretName(KubernetesSftpSidecar.HOST_KEY_SECRET).withDefaultMode(0400).endSecret().build());
        }
        return deployment;
    }

    /** Inside the cluster only (ClusterIP): people reach the server through the Ingress, past its check. */
    public Service service(ServerSpec spec, Target t) {
        return new ServiceBuilder().withNewMetadata().withName(name(spec.envId())).withNamespace(namespace(t.appId()))
                .withLabels(labels(spec, t)).endMetadata()
                .withNewSpec().withType("ClusterIP").withSelector(selector(spec.envId()))
                .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("http")).endPort()
                .endSpec().build();
    }

    /** The hosts to the server, every request first asked about at Cloudplane's {@code forward-auth-url}. */
    public Ingress ingress(ServerSpec spec, Target t) {
        String name = name(spec.envId());
        List<IngressRule> rules = new ArrayList<>();
        for (String host : hosts(t)) {
            rules.add(rule(host, "/", new IngressServiceBackendBuilder().withName(name).withNewPort().withName("http").endPort().build()));
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(AUTH_URL, settings.forwardAuthUrl());
        annotations.put(AUTH_SIGNIN, consoleUrl + "/gateway/sign-in?to=$scheme://$host$escaped_request_uri");
        annotations.put(AUTH_RESPONSE_HEADERS, IDENTITY_HEADERS);
        return new IngressBuilder().withNewMetadata().withName(name).withNamespace(namespace(t.appId())).withLabels(labels(spec, t))
                .withAnnotations(annotations)
                .endMetadata().withNewSpec().withIngressClassName(settings.ingressClass()).withRules(rules).endSpec().build();
    }

    /**
     * {@code /_cloudplane/} of the same hosts, to Cloudplane, in an Ingress of its own: ingress-nginx
     * puts the forward authentication on a whole Ingress, and signing in must not need a sign-in.
     */
    public Ingress gatewayIngress(ServerSpec spec, Target t) {
        List<IngressRule> rules = new ArrayList<>();
        for (String host : hosts(t)) {
            rules.add(rule(host, GATEWAY_PATH, new IngressServiceBackendBuilder().withName(gatewayServiceName(spec.envId()))
                    .withNewPort().withNumber(settings.cloudplanePort()).endPort().build()));
        }
        return new IngressBuilder().withNewMetadata().withName(gatewayServiceName(spec.envId())).withNamespace(namespace(t.appId()))
                .withLabels(labels(spec, t)).endMetadata()
                .withNewSpec().withIngressClassName(settings.ingressClass()).withRules(rules).endSpec().build();
    }

    /**
     * Cloudplane, by the DNS name of its forward-auth URL, as a Service of the app's namespace (an
     * Ingress routes only to Services of its own namespace). One per environment, so that it goes
     * with the environment like the rest, by label.
     */
    public Service gatewayService(ServerSpec spec, Target t) {
        return new ServiceBuilder().withNewMetadata().withName(gatewayServiceName(spec.envId())).withNamespace(namespace(t.appId()))
                .withLabels(labels(spec, t)).endMetadata()
                .withNewSpec().withType("ExternalName").withExternalName(settings.cloudplaneHost())
                .addNewPort().withName("http").withPort(settings.cloudplanePort()).endPort()
                .endSpec().build();
    }

    private List<String> hosts(Target t) {
        return t.studio() ? List.of(previewHost(t), studioHost(t)) : List.of(previewHost(t));
    }

    private static IngressRule rule(String host, String path, IngressServiceBackend backend) {
        return new IngressRuleBuilder().withHost(host).withNewHttp().addNewPath().withPath(path).withPathType("Prefix")
                .withNewBackend().withService(backend).endBackend().endPath().endHttp().build();
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
}
