package io.cloudplane.infra.runtime;

/** Published when a server exits without having been asked to stop. */
public record ServerExitedEvent(String envId, int exitCode, String recentOutput) {
}
