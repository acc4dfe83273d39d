package io.cloudplane.api.backup;

import io.cloudplane.infra.backup.BackupRecord;
import io.cloudplane.infra.backup.BackupRepository;
import io.cloudplane.infra.backup.BackupScheduleRecord;
import io.cloudplane.infra.backup.BackupScheduleRepository;
import io.cloudplane.infra.temporal.WorkflowExecutions;
import io.cloudplane.workflows.backup.BackupSchedule;
import io.cloudplane.workflows.backup.BackupScheduleInput;
import io.cloudplane.workflows.backup.BackupScheduleView;
import io.cloudplane.workflows.backup.BackupScheduleWorkflow;
import io.cloudplane.infra.temporal.WorkflowStarts;
import io.cloudplane.infra.temporal.WorkflowTags;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;

/** Starts, changes and reads the {@code backup-schedule/<envId>} workflows, and keeps their rows. */
@Singleton
public class BackupSchedules {
    private static final Logger LOG = LoggerFactory.getLogger(BackupSchedules.class);
    private final WorkflowClient client;
    private final BackupScheduleRepository schedules;
    private final BackupRepository backups;
    private final WorkflowStarts starts;

    public BackupSchedules(WorkflowClient client, BackupScheduleRepository schedules, BackupRepository backups, WorkflowStarts starts) {
        this.client = client;
        this.starts = starts;
        this.schedules = schedules;
        this.backups = backups;
    }

    public static String workflowId(UUID envId) {
        return "backup-schedule/" + envId;
    }

    /** The schedule row of a new environment with the backup service: the default, daily at 02:00 GMT. */
    public BackupScheduleRecord createDefault(UUID envId) {
        return schedules.save(toRecord(envId, BackupSchedule.defaults()));
    }

    /** The schedule as last set, with when it was set. */
    public Optional<BackupScheduleRecord> storedRecord(UUID envId) {
        return schedules.findById(envId);
    }

    public Optional<BackupSchedule> stored(UUID envId) {
        return schedules.findById(envId).map(BackupSchedules::toSchedule);
    }

    /** Starts the schedule's workflow if it is not running; false when Temporal could not be reached. */
    public boolean start(UUID appId, UUID envId) {
        BackupSchedule schedule = stored(envId).orElseGet(() -> toSchedule(createDefault(envId)));
        Long lastSlot = backups.findNewestScheduled(envId).map(BackupRecord::scheduledFor).map(Instant::toEpochMilli).orElse(null);
        BackupScheduleWorkflow workflow = client.newWorkflowStub(BackupScheduleWorkflow.class,
                starts.options(workflowId(envId), WorkflowTags.of(appId, envId, null)));
        try {
            WorkflowClient.start(workflow::run, new BackupScheduleInput(appId.toString(), envId.toString(), schedule, lastSlot));
            return true;
        } catch (WorkflowExecutionAlreadyStarted e) {
            return true;
        } catch (RuntimeException e) {
            LOG.warn("Could not start the backup schedule of environment {} yet: {}", envId, e.getMessage());
            return false;
        }
    }

    public boolean running(UUID envId) {
        return WorkflowExecutions.isRunning(client, workflowId(envId));
    }

    /** Applies a new schedule through a Temporal Update (its validator refuses a bad one), then records it. */
    public BackupScheduleView update(UUID appId, UUID envId, BackupSchedule schedule) {
        if (!running(envId)) {
            schedules.update(toRecord(envId, schedule));
            start(appId, envId);
            return new BackupScheduleView(schedule, null);
        }
        BackupScheduleView view = client.newWorkflowStub(BackupScheduleWorkflow.class, workflowId(envId)).update(schedule);
        schedules.update(toRecord(envId, schedule));
        return view;
    }

    static BackupSchedule toSchedule(BackupScheduleRecord r) {
        return new BackupSchedule(r.frequency(), r.dayOfWeek(), r.timeOfDay(), r.retentionCount(), r.retentionDays(), r.paused());
    }

    private static BackupScheduleRecord toRecord(UUID envId, BackupSchedule s) {
        return new BackupScheduleRecord(envId, s.frequency(), s.dayOfWeek(), s.time(), s.retentionCount(), s.retentionDays(),
                s.paused(), Instant.now().truncatedTo(ChronoUnit.MICROS));
    }
}
