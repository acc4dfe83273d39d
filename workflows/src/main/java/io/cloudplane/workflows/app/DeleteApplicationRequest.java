package io.cloudplane.workflows.app;

public record DeleteApplicationRequest(String operationId, String appId) {
}
