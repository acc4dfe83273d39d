package io.cloudplane.api.operation;

import io.cloudplane.infra.operation.OperationRecord;

/**
 * A recovery job that owns some unfinished operations: what finishes them is not their own workflow
 * alone (a sandbox's sleep, wake and deletion are carried on by its lifecycle, which also sends the
 * emails). {@link OperationReconciler} hands such an operation to its owner instead of starting the
 * kind's workflow itself, so that one path, not two racing ones, finishes it.
 */
public interface OperationOwner {
    /** True when {@code op} is this owner's to finish. */
    boolean owns(OperationRecord op);

    /** Starts again what finishes {@code op} if it is missing; true when it started something or ended the operation. */
    boolean recover(OperationRecord op);
}
