package io.cloudplane.infra.runtime;

/**
 * A server start refused because the control plane has begun to stop: a server started then would
 * outlive it. Not a fault of the environment, so nobody marks it FAILED for this.
 */
public class ShuttingDownException extends IllegalStateException {
    public ShuttingDownException(String envId) {
        super("the control plane is stopping: the server of environment " + envId + " is not started");
    }
}
