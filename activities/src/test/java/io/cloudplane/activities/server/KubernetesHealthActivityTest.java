package io.cloudplane.activities.server;

import io.cloudplane.activities.environment.EnvironmentLookup;
import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.runtime.ServerSpec;
import io.cloudplane.infra.runtime.ServerVersion;
import io.cloudplane.infra.runtime.kubernetes.KubernetesRuntime;
import io.cloudplane.infra.runtime.kubernetes.KubernetesSettings;
import io.cloudplane.workflows.server.RuntimeActivities;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/**
 * The health wait of the runtime activities with the Kubernetes runtime against fabric8's mock API
 * server (CRUD mode): a Deployment that never becomes ready times out with the cluster's view of it,
 * and a container the cluster cannot start ends the wait at once with the cluster's reason. The
 * workflows turn either failure into FAILED with that reason (ServerActionWorkflowsTest).
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesHealthActivityTest {
    KubernetesClient client;
    @TempDir
    Path dataDir;

    private final String appId = UUID.randomUUID().toString();
    private final String envId = UUID.randomUUID().toString();
    private TestActivityEnvironment testEnv;
    private RuntimeActivities activities;
    private KubernetesRuntime runtime;

    @BeforeEach
    void setUp() {
        runtime = new KubernetesRuntime(client, KubernetesSettings.defaults(), "http://127.0.0.1:8080",
                id -> new KubernetesRuntime.Target(appId, "production-shop-0123456789ab", false), Clock.systemUTC());
        SecretBox secrets = new SecretBox(new CloudplaneSettings(dataDir.toString()), "");
        EnvironmentRepository repository = mock(EnvironmentRepository.class);
        when(repository.findById(UUID.fromString(envId))).thenReturn(Optional.of(new EnvironmentRecord(UUID.fromString(envId),
                UUID.fromString(appId), "production", EnvironmentRecord.EnvironmentType.PRODUCTION, null, EnvironmentStatus.RUNNING,
                null, "1.1.0", null, null, "env_x", secrets.encrypt("pa55word"), Instant.now(), Instant.now())));
        EnvironmentLookup lookup = new EnvironmentLookup(repository);
        RuntimeActivitiesImpl impl = new RuntimeActivitiesImpl(lookup, null, runtime, Duration.ofSeconds(60),
                new HealthWaits(lookup, runtime, secrets));
        testEnv = TestActivityEnvironment.newInstance();
        testEnv.registerActivitiesImplementations(impl);
        activities = testEnv.newActivityStub(RuntimeActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
        runtime.start(new ServerSpec(envId, new ServerVersion("1.1.0", null, "ghcr.io/cloudplane/server:1.1.0"), null,
                "jdbc:postgresql://db:5432/env_x", "env_x", "pa55word"));
    }

    @AfterEach
    void tearDown() {
        testEnv.close();
    }

    @Test
    void aDeploymentThatNeverBecomesReadyTimesOut() {
        long started = System.nanoTime();
        ActivityFailure failure = assertThrows(ActivityFailure.class, () -> activities.awaitHealthyWithin(envId, 2));
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        ApplicationFailure cause = (ApplicationFailure) failure.getCause();
        assertEquals("Unhealthy", cause.getType());
        assertTrue(cause.getOriginalMessage().contains("not healthy within 2s: not ready yet"), cause.getOriginalMessage());
        assertTrue(seconds >= 2 && seconds < 20, "it waited its time, then stopped: " + seconds + " s");
    }

    @Test
    void anImageTheClusterCannotPullEndsTheWaitAtOnceWithTheClustersReason() {
        client.pods().inNamespace("cp-" + appId).resource(new PodBuilder().withNewMetadata().withName("env-" + envId + "-abc")
                .withLabels(Map.of("cloudplane.io/environment", envId, "app.kubernetes.io/name", "cloudplane-server",
                        "app.kubernetes.io/version", "1.1.0")).endMetadata()
                .withNewStatus().addNewContainerStatus().withName("server").withNewState().withNewWaiting()
                .withReason("ImagePullBackOff").withMessage("Back-off pulling image \"ghcr.io/cloudplane/server:1.1.0\"")
                .endWaiting().endState().endContainerStatus().endStatus().build()).create();
        long started = System.nanoTime();
        ActivityFailure failure = assertThrows(ActivityFailure.class, () -> activities.awaitHealthyWithin(envId, 60));
        ApplicationFailure cause = (ApplicationFailure) failure.getCause();
        assertEquals("ServerExited", cause.getType());
        assertTrue(cause.isNonRetryable());
        assertTrue(cause.getOriginalMessage().startsWith("ImagePullBackOff: Back-off pulling image"), cause.getOriginalMessage());
        assertFalse(cause.getOriginalMessage().contains("pa55word"));
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(20).toNanos(), "not a wait for the whole timeout");
    }
}
