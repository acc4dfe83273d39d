package io.cloudplane.workflows.server;

import io.temporal.activity.ActivityInterface;

/** The environment's server, through the runtime port (local processes or Kubernetes). */
@ActivityInterface
public interface RuntimeActivities {
    /** Starts the server of the environment's server version if it is not running; returns its preview URL. */
    String startServer(String envId);

    /** Heartbeats until the server answers its health check, or fails when it does not in time. */
    void awaitHealthy(String envId);

    /** As {@link #awaitHealthy}, with its own time limit (a deployment's configurable health check). */
    void awaitHealthyWithin(String envId, int timeoutSeconds);

    /** Restarts the server where it runs: locally a stop and a start; on Kubernetes a rollout restart. */
    void restartServer(String envId);

    /** Removes everything the runtime keeps for the environment (on Kubernetes, its objects, by label); idempotent. */
    void removeServer(String envId);

    /** Stops the server if it runs. */
    void stopServer(String envId);
}
