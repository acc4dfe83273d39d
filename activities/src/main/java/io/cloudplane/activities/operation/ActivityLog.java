package io.cloudplane.activities.operation;

import io.cloudplane.infra.operation.ActivityLogRecord.Outcome;
import io.cloudplane.infra.operation.ActivityLogRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.workflows.operation.OperationProgress;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.workflows.operation.StepStatus;
import jakarta.inject.Singleton;

import java.time.Instant;

/**
 * Writes the environment's activity log entry when an operation on it ends: the action, who
 * asked (null for the system), and the outcome, where an operation that skipped its work is a
 * NO_OP, and one stopped on request CANCELLED.
 */
@Singleton
public class ActivityLog {
    private final ActivityLogRepository entries;

    public ActivityLog(ActivityLogRepository entries) {
        this.entries = entries;
    }

    void record(OperationRecord op, OperationProgress progress) {
        if (op.envId() == null) {
            return; // app-level operations act on environments through their own children
        }
        Outcome outcome = progress.status() == OperationStatus.CANCELLED ? Outcome.CANCELLED
                : progress.status() != OperationStatus.SUCCEEDED ? Outcome.FAILED
                : progress.steps().stream().anyMatch(s -> s.status() == StepStatus.SKIPPED) ? Outcome.NO_OP : Outcome.SUCCEEDED;
        entries.appendOnce(op.appId(), op.envId(), op.type().activityLabel(), op.userId(), outcome.name(), progress.error(), op.id(),
                Instant.now());
    }
}
