package io.cloudplane.workflows.backup;

import java.util.Map;

/**
 * The database part of a backup: its size and SHA-256, the server's version, and each table's row
 * count and checksum, taken in the same snapshot as the dump.
 */
public record DumpResult(long size, String sha256, String serverVersion, Map<String, TableFingerprint> tables) {
    public record TableFingerprint(long rows, String checksum) {
    }
}
