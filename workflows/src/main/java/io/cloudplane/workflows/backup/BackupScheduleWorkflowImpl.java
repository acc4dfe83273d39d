package io.cloudplane.workflows.backup;

import io.cloudplane.workflows.common.Activities;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;

import java.time.Duration;
import java.util.List;

/**
 * One slot per run. Waits for the next slot of the schedule in force; a schedule change wakes it
 * and the wait starts again from the new schedule, so the change applies from the next slot. A
 * paused schedule waits for a change. Temporal Schedules are not used: the embedded server lacks them.
 */
public class BackupScheduleWorkflowImpl implements BackupScheduleWorkflow {
    private final BackupScheduleActivities slots = Activities.backupSchedules();
    private final BackupActivities backups = Activities.backups();

    private BackupScheduleInput input;
    private BackupSchedule schedule;
    private boolean changed;

    @Override
    public void run(BackupScheduleInput in) {
        input = in;
        schedule = in.schedule();
        long slot;
        while (true) {
            changed = false;
            if (schedule.paused()) {
                Workflow.await(() -> changed);
                continue;
            }
            slot = nextSlot();
            long wait = slot - Workflow.currentTimeMillis();
            if (wait > 0 && Workflow.await(Duration.ofMillis(wait), () -> changed)) {
                continue; // the schedule changed: wait for its next slot instead
            }
            break;
        }
        String backupId = slots.createScheduledBackup(in.appId(), in.envId(), slot);
        if (backupId == null) {
            return; // the environment is gone
        }
        try {
            Workflow.newChildWorkflowStub(BackupWorkflow.class, ChildWorkflowOptions.newBuilder()
                    .setWorkflowId(io.cloudplane.workflows.common.WorkflowIds.backup(backupId)).build())
                    .backup(new BackupRequest(backupId, in.appId(), in.envId(), schedule.retention()));
        } catch (ChildWorkflowFailure failed) {
            // The backup recorded its failure, and health reports the slot as missed; the schedule goes on.
            backups.applyRetention(in.envId(), schedule.retention());
        }
        Workflow.continueAsNew(new BackupScheduleInput(in.appId(), in.envId(), schedule, slot));
    }

    private long nextSlot() {
        long from = Workflow.currentTimeMillis();
        // A slot missed while the worker was down is run at once, once: not skipped, not repeated.
        if (input.lastSlot() != null) {
            long missed = schedule.nextSlotAfter(Math.max(input.lastSlot(), from - Duration.ofDays(8).toMillis()));
            if (missed <= from) {
                // Several missed slots: only the latest is run.
                for (long later = schedule.nextSlotAfter(missed); later <= from; later = schedule.nextSlotAfter(later)) {
                    missed = later;
                }
                return missed;
            }
        }
        return schedule.nextSlotAfter(from);
    }

    @Override
    public BackupScheduleView update(BackupSchedule next) {
        schedule = next;
        changed = true;
        return view();
    }

    @Override
    public void validateUpdate(BackupSchedule next) {
        List<String> problems = next == null ? List.of("schedule: required") : next.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    @Override
    public BackupScheduleView view() {
        return new BackupScheduleView(schedule, schedule.paused() ? null : nextSlot());
    }
}
