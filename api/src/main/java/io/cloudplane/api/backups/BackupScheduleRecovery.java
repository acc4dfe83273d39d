package io.cloudplane.api.backups;

import io.cloudplane.infra.persistence.BackupScheduleRecord;
import io.cloudplane.infra.persistence.BackupScheduleRepository;
import io.cloudplane.infra.persistence.EnvironmentRecord;
import io.cloudplane.infra.persistence.EnvironmentRepository;
import io.cloudplane.workflows.common.EnvironmentStatus;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.UUID;

/**
 * Starts again every backup schedule whose workflow is missing (the embedded Temporal's memory lost
 * in a restart, a namespace reset, Temporal unreachable when the environment was created). A slot
 * missed meanwhile runs once, at restart.
 */
@Singleton
@Requires(property = "cloudplane.backup.recovery.enabled", notEquals = "false")
public class BackupScheduleRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(BackupScheduleRecovery.class);
    private static final int PAGE = 500;
    private final BackupScheduleRepository schedules;
    private final EnvironmentRepository environments;
    private final BackupSchedules backupSchedules;

    public BackupScheduleRecovery(BackupScheduleRepository schedules, EnvironmentRepository environments,
                                  BackupSchedules backupSchedules) {
        this.schedules = schedules;
        this.environments = environments;
        this.backupSchedules = backupSchedules;
    }

    @Scheduled(initialDelay = "${cloudplane.backup.recovery.initial-delay:3s}", fixedDelay = "${cloudplane.backup.recovery.interval:10m}")
    public void recover() {
        UUID after = new UUID(0L, 0L);
        List<BackupScheduleRecord> page;
        do {
            page = schedules.findPage(after, PAGE);
            for (BackupScheduleRecord schedule : page) {
                try {
                    EnvironmentRecord env = environments.findById(schedule.envId()).orElse(null);
                    if (env != null && env.status() != EnvironmentStatus.DELETING && !backupSchedules.running(env.id())) {
                        backupSchedules.start(env.appId(), env.id());
                        LOG.info("Started the backup schedule of environment {} again", env.id());
                    }
                } catch (RuntimeException e) {
                    LOG.warn("Could not check the backup schedule of environment {}: {}", schedule.envId(), e.getMessage());
                }
            }
            if (!page.isEmpty()) {
                after = page.get(page.size() - 1).envId();
            }
        } while (page.size() == PAGE);
    }
}
