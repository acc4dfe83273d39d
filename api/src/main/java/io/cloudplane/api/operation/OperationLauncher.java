package io.cloudplane.api.operation;

import io.cloudplane.api.common.RequestLogContext;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.temporal.WorkflowStarts;
import io.cloudplane.infra.temporal.WorkflowTags;
import io.cloudplane.workflows.operation.OperationRef;
import io.cloudplane.workflows.operation.OperationType;
import io.cloudplane.workflows.operation.OperationWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts the workflow that backs an Operation row, as its {@link OperationType} says. The row is
 * written first, in the same transaction as the change it describes, so that a crash between the
 * two is repaired by the {@link OperationReconciler}: the workflow ID is the business key, so
 * starting it twice is harmless.
 */
@Singleton
public class OperationLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(OperationLauncher.class);
    private final WorkflowClient client;
    private final WorkflowStarts starts;
    private final Map<OperationType, StoredRequest> storedRequests = new EnumMap<>(OperationType.class);

    public OperationLauncher(WorkflowClient client, WorkflowStarts starts, List<StoredRequest> storedRequests) {
        this.client = client;
        this.starts = starts;
        for (StoredRequest reader : storedRequests) {
            if (this.storedRequests.put(reader.type(), reader) != null) {
                throw new IllegalStateException("Two readers of the stored request of " + reader.type());
            }
        }
        for (OperationType type : OperationType.values()) {
            if (type.workflow().requestIsStored() != this.storedRequests.containsKey(type)) {
                throw new IllegalStateException(type + (type.workflow().requestIsStored()
                        ? "'s request is stored with its operation, but no StoredRequest bean reads it"
                        : "'s request is made of its IDs, but a StoredRequest bean reads one"));
            }
        }
    }

    /** What an operator finds the operation's workflow by: its app, environment, ID, kind and the user who asked. */
    public static WorkflowTags tags(OperationRecord op) {
        return new WorkflowTags(op.appId(), op.envId(), op.id(), op.type().name(), op.userId());
    }

    /** Returns false when Temporal could not be reached; the reconciler starts the workflow later. */
    public boolean launch(OperationRecord op) {
        OperationType type = op.type();
        OperationRef ref = op.ref();
        // The kind's key, not the row's: a sandbox's sleep is recorded under its lifecycle's ID, and
        // finished, when found orphaned, by a stop of its own.
        String workflowId = type.workflowId(ref);
        RequestLogContext.operationStarted(op.id().toString(), workflowId);
        try {
            OperationWorkflow<?, ?> workflow = type.workflow();
            Optional<?> request = workflow.requestIsStored() ? storedRequests.get(type).read(op) : Optional.of(workflow.request(ref));
            if (request.isPresent()) {
                workflow.start(client, starts.options(workflowId, tags(op)), request.get());
                LOG.info("Started workflow {} for {} operation {}", workflowId, type, op.id());
            }
            return true;
        } catch (WorkflowExecutionAlreadyStarted alreadyRunning) {
            return true;
        } catch (RuntimeException e) {
            LOG.warn("Could not start workflow {} for operation {} yet: {}", workflowId, op.id(), e.getMessage());
            return false;
        }
    }
}
