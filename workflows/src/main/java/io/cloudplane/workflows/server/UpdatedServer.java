package io.cloudplane.workflows.server;

/** Where the updated server serves: locally a new port (and so a new preview URL); on Kubernetes the same host. */
public record UpdatedServer(Integer port, String previewUrl) {
}
