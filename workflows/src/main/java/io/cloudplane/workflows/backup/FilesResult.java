package io.cloudplane.workflows.backup;

/** The resource-files part of a backup: a tar, its size and SHA-256, and how many files it holds. */
public record FilesResult(long size, String sha256, int files) {
}
