package io.cloudplane.infra.runtime.kubernetes;

import io.cloudplane.infra.runtime.HealthReport;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The health of an environment's server from its Deployment (and, when that does not decide,
 * its pods), as {@code kubectl rollout status} judges a rollout: healthy when the controller has
 * seen the latest spec and every replica runs it, one of them ready. Not alive (so that a wait ends
 * at once, with the cluster's reason) when the rollout exceeded its progress deadline or a
 * container cannot start: an image that cannot be pulled, a crash loop. Nothing here talks to the
 * cluster.
 */
public final class RolloutHealth {
    /** Waiting reasons of a container that will not start by waiting longer. */
    static final List<String> BROKEN = List.of("ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff",
            "InvalidImageName", "CreateContainerConfigError", "CreateContainerError", "RunContainerError");

    private RolloutHealth() {
    }

    /**
     * The health when the Deployment's status alone decides it: ready, not observed yet, or past
     * its progress deadline. Empty when only its pods can tell (see {@link #fromPods}).
     */
    public static Optional<HealthReport> fromStatus(Deployment d) {
        Rollout rollout = Rollout.of(d);
        DeploymentStatus status = d.getStatus();
        if (rollout.observed() && rollout.updated() && status != null && status.getReadyReplicas() != null
                && status.getReadyReplicas() > 0) {
            return Optional.of(new HealthReport(true, true, "ready: " + status.getReadyReplicas() + " replica(s)"));
        }
        if (!rollout.observed()) {
            // The status (its conditions too) is still the previous spec's: after a roll-back, the failed
            // rollout's ProgressDeadlineExceeded is not this one's.
            return Optional.of(new HealthReport(false, true, "the rollout is not observed yet"));
        }
        if (status != null && status.getConditions() != null) {
            for (DeploymentCondition c : status.getConditions()) {
                if ("Progressing".equals(c.getType()) && "False".equals(c.getStatus())) {
                    return Optional.of(new HealthReport(false, false, c.getReason() + ": " + c.getMessage()));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The health of a rollout its status left undecided, from the pods its selector finds: failed
     * if a container of the current template cannot start, else still under way.
     */
    public static HealthReport fromPods(Deployment d, List<Pod> pods) {
        Map<String, String> template = d.getSpec().getTemplate().getMetadata().getLabels();
        String version = template == null ? null : template.get(KubernetesManifests.VERSION_LABEL);
        for (Pod pod : pods) {
            // Only the pods of the current template count: not a terminating one, nor one of the
            // version an update just left (its ImagePullBackOff is not the roll-back's).
            Map<String, String> podLabels = pod.getMetadata().getLabels();
            if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
                    || pod.getMetadata().getDeletionTimestamp() != null
                    || (version != null && (podLabels == null || !version.equals(podLabels.get(KubernetesManifests.VERSION_LABEL))))) {
                continue;
            }
            for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
                if (cs.getState() != null && cs.getState().getWaiting() != null && BROKEN.contains(cs.getState().getWaiting().getReason())) {
                    return new HealthReport(false, false, cs.getState().getWaiting().getReason() + ": "
                            + cs.getState().getWaiting().getMessage());
                }
            }
        }
        Rollout rollout = Rollout.of(d);
        return new HealthReport(false, true, !rollout.updated()
                ? rollout.updatedReplicas() + " of " + rollout.wanted() + " replica(s) updated" : "not ready yet");
    }

    /**
     * How far the controller has gone with the latest spec. The API leaves a 0 out (omitempty), so
     * an absent observedGeneration or updatedReplicas means none.
     */
    private record Rollout(boolean observed, boolean updated, int updatedReplicas, int wanted) {
        static Rollout of(Deployment d) {
            DeploymentStatus status = d.getStatus();
            Long generation = d.getMetadata().getGeneration();
            int wanted = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
            // The controller must have seen the latest spec, and every replica must run it, so that the
            // old ReplicaSet's ready pods do not pass for the new version's.
            boolean observed = generation == null || status == null
                    || (status.getObservedGeneration() == null ? 0 : status.getObservedGeneration()) >= generation;
            int updatedReplicas = status == null || status.getUpdatedReplicas() == null ? 0 : status.getUpdatedReplicas();
            boolean updated = status == null || updatedReplicas >= wanted;
            return new Rollout(observed, updated, updatedReplicas, wanted);
        }
    }
}
