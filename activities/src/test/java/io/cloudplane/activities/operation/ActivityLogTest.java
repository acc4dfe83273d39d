package io.cloudplane.activities.operation;

import io.cloudplane.infra.operation.ActivityLogRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.workflows.operation.OperationProgress;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.workflows.operation.OperationStep;
import io.cloudplane.workflows.operation.OperationType;
import io.cloudplane.workflows.operation.StepStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

/** The outcome an ended operation leaves in its environment's activity log. */
class ActivityLogTest {
    private final ActivityLogRepository entries = mock(ActivityLogRepository.class);
    private final OperationRecord op = OperationRecord.pending(UUID.randomUUID(), OperationType.PROVISION_ENVIRONMENT, UUID.randomUUID(),
            UUID.randomUUID(), UUID.randomUUID(), Instant.now());

    private void ended(OperationStatus status, StepStatus stepStatus, String error) {
        new ActivityLog(entries).record(op, new OperationProgress(op.id().toString(), op.workflowId(), "run", status,
                List.of(new OperationStep("create-database", stepStatus, 1L, 2L, null)), error));
    }

    @Test
    void aCancelledOperationIsLoggedCancelledWithItsReasonNotAsAFailure() {
        ended(OperationStatus.CANCELLED, StepStatus.SUCCEEDED, "Provisioning was cancelled on request");
        verify(entries).appendOnce(eq(op.appId()), eq(op.envId()), eq("created"), eq(op.userId()), eq("CANCELLED"),
                eq("Provisioning was cancelled on request"), eq(op.id()), any());
    }

    @Test
    void aFailedOneIsFailedAndOneThatSkippedItsWorkANoOp() {
        ended(OperationStatus.FAILED, StepStatus.FAILED, "broken");
        verify(entries).appendOnce(eq(op.appId()), eq(op.envId()), eq("created"), eq(op.userId()), eq("FAILED"), eq("broken"), eq(op.id()), any());
        ended(OperationStatus.SUCCEEDED, StepStatus.SKIPPED, null);
        verify(entries).appendOnce(eq(op.appId()), eq(op.envId()), eq("created"), eq(op.userId()), eq("NO_OP"), eq(null), eq(op.id()), any());
    }
}
