package io.cloudplane.workflows.environment;

import io.temporal.activity.ActivityInterface;

import java.util.List;

/** Cloudplane's own records of apps and environments. */
@ActivityInterface
public interface EnvironmentActivities {
    /** Records a status; {@code reason} says why for FAILED and is cleared otherwise. */
    void setStatus(String envId, EnvironmentStatus status, String reason);

    EnvironmentStatus getStatus(String envId);

    /** Removes the environment's record once everything it owned is gone. */
    void forgetEnvironment(String envId);

    List<String> listEnvironmentIds(String appId);

    /** Removes the app's record once all its environments are gone. */
    void forgetApplication(String appId);
}
