package io.cloudplane.api.backup;

import io.cloudplane.api.common.RecoveryLoop;
import io.cloudplane.infra.backup.BackupScheduleRecord;
import io.cloudplane.infra.backup.BackupScheduleRepository;
import io.cloudplane.infra.config.CdsTraining;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cloudplane.infra.backup.BackupRecord;
import io.cloudplane.infra.backup.BackupRepository;
import io.cloudplane.infra.temporal.WorkflowExecutions;
import io.cloudplane.workflows.backup.BackupSchedule;
import io.cloudplane.workflows.backup.Retention;
import io.temporal.client.WorkflowClient;

import java.time.Duration;
import java.time.Instant;

/**
 * Starts again every backup schedule whose workflow is missing (the embedded Temporal's memory lost
 * in a restart, a namespace reset, Temporal unreachable when the environment was created). A slot
 * missed meanwhile runs once, at restart. Also starts again the workflow of any manual backup left
 * unfinished without one (scheduled backups are the schedule's children, safety backups the
 * restore's: their parents start them again).
 */
@Singleton
@Requires(property = "cloudplane.backup.recovery.enabled", notEquals = "false")
@Requires(notEnv = CdsTraining.ENVIRONMENT) // a training start does nothing but start
public class BackupScheduleRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(BackupScheduleRecovery.class);
    private static final Duration GRACE = Duration.ofSeconds(30);
    private final BackupScheduleRepository schedules;
    private final EnvironmentRepository environments;
    private final BackupSchedules backupSchedules;
    private final BackupRepository backups;
    private final BackupLauncher launcher;
    private final WorkflowClient client;

    public BackupScheduleRecovery(BackupScheduleRepository schedules, EnvironmentRepository environments,
                                  BackupSchedules backupSchedules, BackupRepository backups, BackupLauncher launcher,
                                  WorkflowClient client) {
        this.schedules = schedules;
        this.environments = environments;
        this.backupSchedules = backupSchedules;
        this.backups = backups;
        this.launcher = launcher;
        this.client = client;
    }

    @Scheduled(initialDelay = "${cloudplane.backup.recovery.initial-delay:3s}", fixedDelay = "${cloudplane.backup.recovery.interval:10m}")
    public void recover() {
        RecoveryLoop.overPages(LOG, schedules::findPage, BackupScheduleRecord::envId,
                schedule -> "check the backup schedule of environment " + schedule.envId(), this::restartSchedule);
        recoverManualBackups();
    }

    /**
     * As often as the operation reconciler, not only with the schedules: a manual backup begun less than the grace
     * period before a restart is skipped by the first pass (its request may still be launching it), and was then left
     * without a workflow until the next pass of the schedules, 10 minutes later (found by the crash harness).
     */
    @Scheduled(initialDelay = "${cloudplane.reconcile.initial-delay:1s}", fixedDelay = "${cloudplane.reconcile.interval:30s}")
    public void recoverManualBackups() {
        RecoveryLoop.over(LOG, backups.findUnfinishedManual(Instant.now().minus(GRACE)), backup -> "check backup " + backup.id(),
                this::restartManualBackup);
    }

    private boolean restartSchedule(BackupScheduleRecord schedule) {
        EnvironmentRecord env = environments.findById(schedule.envId()).orElse(null);
        if (env == null || env.status() == EnvironmentStatus.DELETING || backupSchedules.running(env.id())) {
            return false;
        }
        backupSchedules.start(env.appId(), env.id());
        LOG.info("Started the backup schedule of environment {} again", env.id());
        return true;
    }

    private boolean restartManualBackup(BackupRecord backup) {
        if (WorkflowExecutions.isRunning(client, BackupLauncher.workflowId(backup))) {
            return false;
        }
        launcher.launch(backup, backupSchedules.stored(backup.envId()).map(BackupSchedule::retention).orElse(Retention.DEFAULT));
        LOG.info("Started the workflow of backup {} again", backup.id());
        return true;
    }
}
