package io.cloudplane.workflows.operation;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;

import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * How an operation kind's workflow starts: its interface, the workflow method that runs it, and its
 * request. Most requests are made of the operation's IDs; a few need rows written with the
 * operation (the backup a restore puts back, the version an update goes to), and the API reads
 * those ({@link #requestIsStored()}).
 *
 * @param <W> the workflow interface
 * @param <R> the request its workflow method takes
 */
public final class OperationWorkflow<W, R> {
    private final Class<W> type;
    private final BiConsumer<W, R> method;
    private final Function<OperationRef, R> requestFromIds;

    private OperationWorkflow(Class<W> type, BiConsumer<W, R> method, Function<OperationRef, R> requestFromIds) {
        this.type = type;
        this.method = method;
        this.requestFromIds = requestFromIds;
    }

    /** A workflow whose request is made of the operation's IDs. */
    public static <W, R> OperationWorkflow<W, R> startedWith(Class<W> type, BiConsumer<W, R> method,
                                                            Function<OperationRef, R> request) {
        return new OperationWorkflow<>(type, method, request);
    }

    /** A workflow whose request the API reads from the rows written with the operation. */
    public static <W, R> OperationWorkflow<W, R> startedWithStoredRequest(Class<W> type, BiConsumer<W, R> method) {
        return new OperationWorkflow<>(type, method, null);
    }

    public Class<W> type() {
        return type;
    }

    public boolean requestIsStored() {
        return requestFromIds == null;
    }

    /** The request made of the operation's IDs; for a kind whose request is stored, there is none. */
    public R request(OperationRef ref) {
        if (requestFromIds == null) {
            throw new IllegalStateException(type.getSimpleName() + "'s request is stored with its operation");
        }
        return requestFromIds.apply(ref);
    }

    /** Starts the workflow with {@code request} (an {@code R}); throws if a run with the options' workflow ID is open. */
    @SuppressWarnings("unchecked")
    public WorkflowExecution start(WorkflowClient client, WorkflowOptions options, Object request) {
        W stub = client.newWorkflowStub(type, options);
        R typed = (R) request;
        return WorkflowClient.start(() -> method.accept(stub, typed));
    }
}
