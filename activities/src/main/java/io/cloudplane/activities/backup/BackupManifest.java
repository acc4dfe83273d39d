package io.cloudplane.activities.backup;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

import java.time.Instant;
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
}
