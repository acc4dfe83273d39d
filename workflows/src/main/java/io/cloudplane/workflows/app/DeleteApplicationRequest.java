package io.cloudplane.workflows.app;

import io.cloudplane.workflows.sandbox.SandboxMail;

/**
 * {@code farewell}: the email to send the owner once everything else is deleted and before the
 * app's record is forgotten (a sandbox's "was deleted"; from change {@code farewell-before-forget}),
 * so that a kill in between leaves the record, and the deletion carried on sends it, once; null
 * for a deletion asked through the API.
 */
public record DeleteApplicationRequest(String operationId, String appId, SandboxMail farewell) {
}
