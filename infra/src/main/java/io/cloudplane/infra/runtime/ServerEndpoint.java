package io.cloudplane.infra.runtime;

public record ServerEndpoint(Integer port, String previewUrl) {
}
