package io.cloudplane.infra.embedded;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.temporal.api.workflowservice.v1.RespondWorkflowTaskCompletedRequest;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;

/**
 * Keeps every workflow task of the embedded Temporal on its workflow's own task queue, where any
 * live worker polls it, by dropping the sticky-queue request a worker sends with each completed
 * workflow task.
 *
 * <p>Temporal's Java test server (1.38.0) honours that request (the run's next workflow tasks go to
 * the worker's own sticky queue) but never enforces its schedule-to-start timeout, which in a real
 * Temporal moves a task that no one takes from the sticky queue back to the normal one after a few
 * seconds. So when a worker dies between two workflow tasks of a run (SIGKILL, a crash, a lost
 * machine), the run's next task waits on the dead worker's sticky queue forever: the activity that
 * was running is retried by the next worker, its result is recorded, and the workflow never hears
 * of it (issue 12: an environment stayed PROVISIONING with its step RUNNING, minutes after the
 * worker was back). Without the request, the server hands every workflow task, with the run's
 * whole history, to the normal queue; the worker replays the history instead of reusing its cached
 * run, which costs CPU but no correctness.
 */
final class StickyQueueInterceptor implements ServerInterceptor {
    private static final String COMPLETE_WORKFLOW_TASK =
            WorkflowServiceGrpc.getRespondWorkflowTaskCompletedMethod().getFullMethodName();

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        ServerCall.Listener<Q> listener = next.startCall(call, headers);
        if (!COMPLETE_WORKFLOW_TASK.equals(call.getMethodDescriptor().getFullMethodName())) {
            return listener;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(Q message) {
                super.onMessage(withoutStickyQueue(message));
            }
        };
    }

    @SuppressWarnings("unchecked")
    static <Q> Q withoutStickyQueue(Q message) {
        if (message instanceof RespondWorkflowTaskCompletedRequest completed && completed.hasStickyAttributes()) {
            return (Q) completed.toBuilder().clearStickyAttributes().build();
        }
        return message;
    }
}
