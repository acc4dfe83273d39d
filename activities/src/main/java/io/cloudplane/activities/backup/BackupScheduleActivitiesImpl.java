package io.cloudplane.activities.backup;

import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.infra.backup.BackupRecord;
import io.cloudplane.infra.backup.BackupRepository;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.workflows.backup.BackupScheduleActivities;
import io.micronaut.data.exceptions.DataAccessException;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

@Singleton
public class BackupScheduleActivitiesImpl implements BackupScheduleActivities, ControlPlaneActivities {
    private final BackupRepository backups;
    private final EnvironmentRepository environments;

    public BackupScheduleActivitiesImpl(BackupRepository backups, EnvironmentRepository environments) {
        this.backups = backups;
        this.environments = environments;
    }

    @Override
    public String createScheduledBackup(String appId, String envId, long slot) {
        UUID env = UUID.fromString(envId);
        if (environments.findById(env).isEmpty()) {
            return null;
        }
        Instant at = Instant.ofEpochMilli(slot);
        var existing = backups.findBySlot(env, at);
        if (existing.isPresent()) {
            return existing.get().id().toString();
        }
        // The ID derives from the slot: a retry after a lost answer names the same backup.
        UUID id = UUID.nameUUIDFromBytes((envId + "/" + slot).getBytes(StandardCharsets.UTF_8));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        try {
            backups.save(BackupRecord.pending(id, UUID.fromString(appId), env, BackupRecord.Trigger.SCHEDULED, null, at, now));
        } catch (DataAccessException e) {
            if (backups.findBySlot(env, at).isEmpty()) {
                throw e;
            }
        }
        return id.toString();
    }
}
