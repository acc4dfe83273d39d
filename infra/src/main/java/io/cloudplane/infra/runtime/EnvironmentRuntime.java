package io.cloudplane.infra.runtime;

import java.io.InputStream;
import java.util.List;

/** Runs the server of each environment: local processes, or Kubernetes. Every call is idempotent. */
public interface EnvironmentRuntime {

    /** Starts the server if it is not running, and returns where it serves. */
    ServerEndpoint start(ServerSpec spec);

    /** Stops the server if it runs. */
    void stop(String envId);

    boolean isRunning(String envId);

    /** Restarts the server where it runs, if the runtime can (true); otherwise the caller stops and starts it. */
    default boolean restartInPlace(String envId) {
        return false;
    }

    /**
     * As {@link #restartInPlace(String)}, with what the server is to run now ({@code spec}: its code, which a
     * runtime that delivers code brings to the restarted server; Kubernetes applies it and rolls once).
     */
    default boolean restartInPlace(ServerSpec spec) {
        return restartInPlace(spec.envId());
    }

    /**
     * The first half of a server update: brings up a server of {@code next}'s version. A runtime
     * that can keeps the current server serving meanwhile (locally: a second process on a new
     * port); Kubernetes rolls the Deployment over to the new image (a new ReplicaSet). By default
     * the server is stopped and started again. Idempotent: a second call returns the same server.
     */
    default ServerEndpoint startUpdate(ServerSpec next) {
        stop(next.envId());
        return start(next);
    }

    /** One probe of the server {@link #startUpdate} brought up. */
    default HealthReport checkUpdateHealth(String envId) {
        return checkHealth(envId);
    }

    /**
     * The updated server (of {@code version}) becomes the environment's server, and the previous one,
     * if still there, stops. Idempotent; fails when the updated server is gone, so that nothing
     * records a switch to a server that does not run. Returns where the environment's server now
     * serves, or null when that does not change (Kubernetes).
     */
    default ServerEndpoint finishUpdate(String envId, String version) {
        return null;
    }

    /**
     * Gives up an update: the updated server goes, and {@code previous} serves again (locally it
     * never stopped; on Kubernetes the Deployment goes back to its image). Idempotent.
     */
    default ServerEndpoint abandonUpdate(ServerSpec previous) {
        stop(previous.envId());
        return start(previous);
    }

    /** Removes everything kept for the environment; by default, stopping the server is all there is. */
    default void remove(String envId) {
        stop(envId);
    }

    /**
     * One reading of the servers of {@code envIds}, in one pass (a runtime reads them in batches, not
     * one call each); environments without a running server are left out.
     */
    default java.util.Map<String, ServerSample> sample(java.util.Collection<String> envIds) {
        return java.util.Map.of();
    }

    /** One probe of the server's health endpoint. */
    HealthReport checkHealth(String envId);

    /** The last lines the server printed, for error messages. */
    String recentOutput(String envId);

    /** The last {@code lines} lines of the server's log (its standard output and error), oldest first. */
    List<String> tailLog(String envId, int lines);

    /** The server's whole log, as far as it is kept (the rotated file, then the current one); the caller closes it. */
    InputStream openLog(String envId);

    /**
     * Serves a custom domain on the runtime's own ingress (on Kubernetes: a rule for its host in the
     * environment's Ingress, its certificate in a TLS Secret), or updates it (a new certificate).
     * Idempotent. The local runtime does nothing: the gateway reads the domains table itself.
     */
    default void publishDomain(DomainRoute route) {
    }

    /**
     * Renews what lets the environment's running server fetch {@code code} again when it restarts by itself
     * (Kubernetes: a freshly signed URL in the environment's code Secret, no roll). False when there is nothing
     * to renew: a runtime that reads the control plane's disk, or a server not applied with that code (its
     * next start signs anew).
     */
    default boolean renewCodeUrl(String envId, ServerSpec.Code code) {
        return false;
    }

    /** Stops serving a custom domain (its rule and Secret removed); nothing when it is not there. */
    default void withdrawDomain(String envId, String domainId, String hostname) {
    }
}
