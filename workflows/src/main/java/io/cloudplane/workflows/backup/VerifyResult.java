package io.cloudplane.workflows.backup;

/** The outcome of restoring a backup into a scratch database and comparing it with its manifest. */
public record VerifyResult(boolean passed, String detail) {
}
