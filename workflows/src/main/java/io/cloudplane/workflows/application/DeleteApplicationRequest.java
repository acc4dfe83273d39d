package io.cloudplane.workflows.application;

public record DeleteApplicationRequest(String operationId, String appId) {
}
