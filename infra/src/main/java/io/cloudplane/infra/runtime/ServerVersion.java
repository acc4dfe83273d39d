package io.cloudplane.infra.runtime;

/** One entry of the server-version catalog: a command for the local runtime, an image for Kubernetes. */
public record ServerVersion(String version, String command, String image) {
}
