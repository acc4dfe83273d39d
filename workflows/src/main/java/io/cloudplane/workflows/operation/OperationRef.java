package io.cloudplane.workflows.operation;

/**
 * The IDs an operation's workflow ID and request are made of: its own, its app's, and its
 * environment's ({@code envId} is null for an operation on a whole app).
 */
public record OperationRef(String operationId, String appId, String envId) {
}
