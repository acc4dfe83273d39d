package io.cloudplane.activities.server;

import io.cloudplane.activities.environment.EnvironmentLookup;
import io.cloudplane.infra.code.CodeArchives;
import io.cloudplane.infra.code.EnvironmentCodeRecord;
import io.cloudplane.infra.code.EnvironmentCodeRepository;
import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.database.DatabaseProvisioner;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.gateway.GatewayKeys;
import io.cloudplane.infra.runtime.ServerCatalog;
import io.cloudplane.infra.runtime.ServerVersion;
import io.cloudplane.infra.runtime.kubernetes.KubernetesCodeDelivery;
import io.cloudplane.infra.runtime.kubernetes.KubernetesCodeSettings;
import io.cloudplane.infra.runtime.kubernetes.KubernetesRuntime;
import io.cloudplane.infra.runtime.kubernetes.KubernetesSettings;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/**
 * The runtime activities with the Kubernetes runtime (fabric8's mock API server, CRUD mode) take the code
 * {@code environment_code} records when they run: the steps of a deployment (swap-code, then start-server), of
 * its roll-back (revert-code, then restart-previous) and a restart after an upload each leave the Deployment
 * fetching the code recorded at that moment.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesCodeActivityTest {
    KubernetesClient client;
    @TempDir
    Path dataDir;

    private static final String V1 = "1".repeat(64);
    private static final String V2 = "2".repeat(64);
    private final UUID appId = UUID.randomUUID();
    private final UUID envId = UUID.randomUUID();
    private final AtomicReference<EnvironmentCodeRecord> recorded = new AtomicReference<>();
    private RuntimeActivitiesImpl activities;

    @BeforeEach
    void setUp() {
        KubernetesRuntime runtime = new KubernetesRuntime(client, KubernetesSettings.defaults(), "http://127.0.0.1:8080", null,
                new KubernetesCodeDelivery(KubernetesCodeSettings.defaults(), new CodeArchives.Limits(1 << 20, 100, 1 << 20),
                        (key, lifetime) -> URI.create("https://s3.example/" + key + "?X-Amz-Signature=x")),
                id -> new KubernetesRuntime.Target(appId.toString(), "development-shop-0123456789ab", true), Clock.systemUTC());
        SecretBox secrets = new SecretBox(new CloudplaneSettings(dataDir.toString()), "");
        EnvironmentRepository environments = mock(EnvironmentRepository.class);
        when(environments.findById(envId)).thenReturn(Optional.of(new EnvironmentRecord(envId, appId, "development",
                EnvironmentRecord.EnvironmentType.DEVELOPMENT, null, EnvironmentStatus.RUNNING, null, "1.1.0", null,
                "http://development-shop-0123456789ab.cloudplane.local/", "env_x", secrets.encrypt("pa55word"), Instant.now(), Instant.now())));
        ServerCatalog catalog = mock(ServerCatalog.class);
        when(catalog.find("1.1.0")).thenReturn(Optional.of(new ServerVersion("1.1.0", null, "ghcr.io/cloudplane/server:1.1.0")));
        DatabaseProvisioner databases = mock(DatabaseProvisioner.class);
        when(databases.jdbcUrlFor(anyString())).thenReturn("jdbc:postgresql://db:5432/env_x");
        EnvironmentCodeRepository code = mock(EnvironmentCodeRepository.class);
        when(code.findById(envId)).thenAnswer(i -> Optional.ofNullable(recorded.get()));
        EnvironmentLookup lookup = new EnvironmentLookup(environments);
        EnvironmentServers servers = new EnvironmentServers(environments, runtime, catalog, databases, secrets, new GatewayKeys(secrets), code);
        activities = new RuntimeActivitiesImpl(lookup, servers, runtime, Duration.ofSeconds(5), new HealthWaits(lookup, runtime, secrets));
    }

    private void record(String sha) {
        recorded.set(sha == null ? null : new EnvironmentCodeRecord(envId, EnvironmentCodeRecord.keyFor(appId, envId, sha), sha, 10, null,
                "t-" + sha.charAt(0), null, Instant.now()));
    }

    private Deployment deployment() {
        return client.apps().deployments().inNamespace("cp-" + appId).withName("env-" + envId).get();
    }

    private String fetched() {
        var init = deployment().getSpec().getTemplate().getSpec().getInitContainers();
        return init.isEmpty() ? null : init.get(0).getArgs().get(2);
    }

    @Test
    void aDeploymentItsRollBackAndAnUploadsRestartEachLeaveThePodsFetchingTheRecordedCode() {
        activities.startServer(envId.toString()); // provisioned, no code yet
        assertNull(fetched());

        record(V1); // an upload (development)...
        activities.restartServer(envId.toString()); // ...and its restart operation
        assertEquals(V1, fetched());
        assertTrue(deployment().getSpec().getTemplate().getMetadata().getAnnotations().containsKey("cloudplane.io/code-sha256"));

        // a deployment: stop-server, swap-code, start-server
        activities.stopServer(envId.toString());
        record(V2);
        activities.startServer(envId.toString());
        assertEquals(V2, fetched());
        assertEquals(1, deployment().getSpec().getReplicas());
        long deployed = deployment().getMetadata().getGeneration();

        // its health-gated roll-back: stop, revert-code, restart-previous
        activities.stopServer(envId.toString());
        record(V1);
        activities.startServer(envId.toString());
        assertEquals(V1, fetched(), "the previous code is back on the pods");
        assertTrue(deployment().getMetadata().getGeneration() > deployed);

        // a roll-back to an environment that had no code before the deployment
        activities.stopServer(envId.toString());
        record(null);
        activities.startServer(envId.toString());
        assertNull(fetched());
    }
}
