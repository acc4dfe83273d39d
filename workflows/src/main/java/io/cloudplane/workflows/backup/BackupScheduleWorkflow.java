package io.cloudplane.workflows.backup;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * {@code backup-schedule/<envId>}: sleeps until the next slot, backs up (a child {@code backup/<id>}),
 * applies retention, and continues as new. Ends when its environment is gone.
 */
@WorkflowInterface
public interface BackupScheduleWorkflow {
    @WorkflowMethod
    void run(BackupScheduleInput input);

    /** Replaces the schedule; the next slot follows the new one. Rejected by the validator when invalid. */
    @UpdateMethod
    BackupScheduleView update(BackupSchedule schedule);

    @UpdateValidatorMethod(updateName = "update")
    void validateUpdate(BackupSchedule schedule);

    @QueryMethod
    BackupScheduleView view();
}
