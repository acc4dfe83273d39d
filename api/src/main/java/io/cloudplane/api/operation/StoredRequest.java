package io.cloudplane.api.operation;

import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.workflows.operation.OperationType;

import java.util.Optional;

/**
 * Reads the workflow request of an operation kind that needs more than the operation's IDs (see
 * {@link io.cloudplane.workflows.operation.OperationWorkflow#requestIsStored()}) from the rows
 * written with the operation. One bean per such kind, beside its feature; the
 * {@link OperationLauncher} refuses to start without one.
 */
public interface StoredRequest {
    OperationType type();

    /**
     * The request the kind's workflow takes; empty when the launcher must leave the workflow alone
     * because another workflow starts it as its child.
     */
    Optional<?> read(OperationRecord op);
}
