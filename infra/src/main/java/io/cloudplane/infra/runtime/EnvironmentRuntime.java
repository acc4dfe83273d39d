package io.cloudplane.infra.runtime;

/** Runs the server of each environment: local processes here, Kubernetes later. Every call is idempotent. */
public interface EnvironmentRuntime {

    /** Starts the server if it is not running, and returns where it serves. */
    ServerEndpoint start(ServerSpec spec);

    /** Stops the server if it runs. */
    void stop(String envId);

    boolean isRunning(String envId);

    /** One probe of the server's health endpoint. */
    HealthReport checkHealth(String envId);

    /** The last lines the server printed, for error messages. */
    String recentOutput(String envId);
}
