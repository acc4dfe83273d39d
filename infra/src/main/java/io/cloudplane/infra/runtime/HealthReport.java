package io.cloudplane.infra.runtime;

/** {@code detail} says why a server is not healthy, or what its health endpoint answered. */
public record HealthReport(boolean healthy, boolean processAlive, String detail) {
}
