package io.cloudplane.infra.runtime.kubernetes;

import io.cloudplane.infra.runtime.HealthReport;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rollout decision on Deployment and Pod values, as a cluster would report them. */
class RolloutHealthTest {
    private static final long GENERATION = 4;

    @Test
    void readyOnceTheControllerSawTheSpecAndEveryReplicaRunsIt() {
        assertEquals(Optional.of(new HealthReport(true, true, "ready: 1 replica(s)")),
                RolloutHealth.fromStatus(deployment("1.1.0", status(GENERATION, 1, 1))));
        assertEquals(Optional.of(new HealthReport(true, true, "ready: 1 replica(s)")),
                RolloutHealth.fromStatus(new DeploymentBuilder(deployment("1.1.0", status(null, 1, 1))).editMetadata().withGeneration(null)
                        .endMetadata().build()), "without a generation there is nothing to wait for");
    }

    @Test
    void aStatusOfAnEarlierGenerationIsNotThisRollouts() {
        DeploymentStatus earlier = new DeploymentStatusBuilder(status(GENERATION - 1, 1, 1)).withConditions(progressDeadlineExceeded())
                .build();
        assertEquals(Optional.of(new HealthReport(false, true, "the rollout is not observed yet")),
                RolloutHealth.fromStatus(deployment("1.1.0", earlier)), "neither its ready pod nor its failure");
        assertEquals(Optional.of(new HealthReport(false, true, "the rollout is not observed yet")),
                RolloutHealth.fromStatus(deployment("1.1.0", status(null, 1, 1))), "an absent observedGeneration is 0");
    }

    @Test
    void aRolloutPastItsDeadlineFailsWithTheClustersReason() {
        DeploymentStatus stuck = new DeploymentStatusBuilder(status(GENERATION, 1, 0)).withConditions(progressDeadlineExceeded()).build();
        assertEquals(Optional.of(new HealthReport(false, false, "ProgressDeadlineExceeded: ReplicaSet \"env-x-5d\" has timed out progressing.")),
                RolloutHealth.fromStatus(deployment("1.1.0", stuck)));
    }

    @Test
    void theStatusLeavesAnUnfinishedRolloutToThePods() {
        assertEquals(Optional.empty(), RolloutHealth.fromStatus(deployment("1.1.0", status(GENERATION, 1, 0))));
        assertEquals(Optional.empty(), RolloutHealth.fromStatus(deployment("1.1.0", status(GENERATION, null, 1))),
                "the old ReplicaSet's ready pod is not the update's");
        assertEquals(Optional.empty(), RolloutHealth.fromStatus(deployment("1.1.0", null)), "no status yet");
    }

    @Test
    void withoutABrokenPodTheRolloutIsUnderWay() {
        assertEquals(new HealthReport(false, true, "0 of 1 replica(s) updated"),
                RolloutHealth.fromPods(deployment("1.1.0", status(GENERATION, null, 1)), List.of()));
        assertEquals(new HealthReport(false, true, "not ready yet"),
                RolloutHealth.fromPods(deployment("1.1.0", status(GENERATION, 1, 0)), List.of(pod("1.1.0", "ContainerCreating", false))));
        assertEquals(new HealthReport(false, true, "not ready yet"),
                RolloutHealth.fromPods(deployment("1.1.0", null), List.of()));
    }

    @Test
    void aContainerOfTheCurrentTemplateThatCannotStartFailsTheRollout() {
        for (String reason : RolloutHealth.BROKEN) {
            HealthReport report = RolloutHealth.fromPods(deployment("1.1.0", status(GENERATION, 1, 0)),
                    List.of(pod("1.1.0", reason, false)));
            assertEquals(new HealthReport(false, false, reason + ": because"), report);
        }
    }

    @Test
    void aBrokenPodOfAnotherVersionOrOnItsWayOutIsNotTheRollouts() {
        Deployment rollingBack = deployment("1.0.0", status(GENERATION, 0, 0));
        HealthReport report = RolloutHealth.fromPods(rollingBack, List.of(pod("1.2.0", "ImagePullBackOff", false),
                pod("1.0.0", "CrashLoopBackOff", true), pod(null, "ErrImagePull", false)));
        assertTrue(report.processAlive(), report.toString());
        assertEquals("0 of 1 replica(s) updated", report.detail());
    }

    private static Deployment deployment(String version, DeploymentStatus status) {
        return new DeploymentBuilder().withNewMetadata().withName("env-x").withNamespace("cp-a").withGeneration(GENERATION).endMetadata()
                .withNewSpec().withReplicas(1).withNewTemplate().withNewMetadata()
                .withLabels(Map.of(KubernetesManifests.VERSION_LABEL, version)).endMetadata().endTemplate().endSpec()
                .withStatus(status).build();
    }

    /** What the Deployment controller reports: the generation it saw, and its replicas (null or 0: left out, as a cluster leaves a 0). */
    private static DeploymentStatus status(Long observedGeneration, Integer updatedReplicas, int readyReplicas) {
        return new DeploymentStatusBuilder().withObservedGeneration(observedGeneration).withReplicas(1)
                .withUpdatedReplicas(updatedReplicas).withReadyReplicas(readyReplicas == 0 ? null : readyReplicas).build();
    }

    private static DeploymentCondition progressDeadlineExceeded() {
        return new DeploymentConditionBuilder().withType("Progressing").withStatus("False").withReason("ProgressDeadlineExceeded")
                .withMessage("ReplicaSet \"env-x-5d\" has timed out progressing.").build();
    }

    private static Pod pod(String version, String waitingReason, boolean terminating) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName("env-x-" + version + "-" + waitingReason)
                .withLabels(version == null ? Map.of() : Map.of(KubernetesManifests.VERSION_LABEL, version))
                .withDeletionTimestamp(terminating ? "2026-11-23T01:30:00Z" : null).endMetadata()
                .withNewStatus().addNewContainerStatus().withName("server").withNewState().withNewWaiting()
                .withReason(waitingReason).withMessage("because").endWaiting().endState().endContainerStatus().endStatus();
        return pod.build();
    }
}
