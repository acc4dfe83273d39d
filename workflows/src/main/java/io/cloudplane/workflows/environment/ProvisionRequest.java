package io.cloudplane.workflows.environment;

public record ProvisionRequest(String operationId, String appId, String envId) {
}
