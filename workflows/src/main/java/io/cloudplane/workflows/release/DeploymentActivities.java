package io.cloudplane.workflows.release;

import io.temporal.activity.ActivityInterface;

/** The code half of a deployment, keyed by the deployment's ID. Every method is idempotent. */
@ActivityInterface
public interface DeploymentActivities {
    /**
     * Writes the deployment row and its DEPLOY_RELEASE operation (for a promotion's deployments).
     * Fails with {@code EnvironmentBusy} when another operation holds the environment.
     */
    void prepare(PrepareDeployment request);

    /** Fails with {@code ReleaseNotRunning} unless the environment runs the release now (staging, before production). */
    void requireRunning(String envId, String releaseId);

    /** Marks the deployment RUNNING and takes, once, what the environment runs now. */
    DeployPlan begin(String deploymentId);

    /** Downloads the release's artifact into a new code tree and checks its SHA-256 ({@code DigestMismatch}). */
    void stage(String deploymentId);

    /** Makes the staged tree the environment's code, and the release's artifact its code object. */
    void activate(String deploymentId);

    /** Puts back the code the environment ran before, and removes what the deployment brought. */
    void revertCode(String deploymentId);

    /** Notes that the data was restored from the safety backup. */
    void markDataRestored(String deploymentId);

    /** Records the outcome; on success, removes the previous code tree and object. */
    void finish(String deploymentId, boolean succeeded, String error);
}
