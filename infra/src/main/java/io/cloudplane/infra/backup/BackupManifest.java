package io.cloudplane.infra.backup;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json}, stored beside a backup's parts: what each part is (key, size, SHA-256),
 * each table's row count and checksum at dump time, the versions involved and the times.
 */
@Serdeable
public record BackupManifest(int format, String backupId, String appId, String envId, String environmentServerVersion,
                             @Nullable String release, String postgresVersion, Instant startedAt, Instant dumpedAt,
                             Part database, Part files, int fileCount, Map<String, Table> tables) {

    @Serdeable
    public record Part(String key, long size, String sha256) {
    }

    @Serdeable
    public record Table(long rows, String checksum) {
    }

    /** The rows of every table together. */
    public long sumOfRows() {
        return tables.values().stream().mapToLong(Table::rows).sum();
    }

    /** How a restored database differs from the tables here; empty when row counts and checksums all match. */
    public List<String> differencesFrom(Map<String, TableFingerprints.Fingerprint> restored) {
        List<String> differences = new ArrayList<>();
        for (var expected : tables.entrySet()) {
            TableFingerprints.Fingerprint got = restored.get(expected.getKey());
            if (got == null) {
                differences.add(expected.getKey() + " is missing");
            } else if (got.rows() != expected.getValue().rows() || !got.checksum().equals(expected.getValue().checksum())) {
                differences.add(expected.getKey() + ": " + got.rows() + " rows restored, " + expected.getValue().rows()
                        + " dumped" + (got.rows() == expected.getValue().rows() ? " (checksums differ)" : ""));
            }
        }
        restored.keySet().stream().filter(t -> !tables.containsKey(t))
                .forEach(t -> differences.add(t + " was not in the dump"));
        return differences;
    }
}
