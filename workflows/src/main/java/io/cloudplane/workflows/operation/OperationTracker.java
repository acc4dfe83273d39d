package io.cloudplane.workflows.operation;

import io.cloudplane.workflows.common.Activities;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Workflow;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs the steps of one operation and reports each change to the Operation row through a local
 * activity, so that {@code GET /api/v1/operations/{id}} shows progress while the workflow runs.
 * Deterministic: it only uses workflow time and workflow stubs.
 */
public final class OperationTracker {
    private final String operationId;
    private final List<OperationStep> steps = new ArrayList<>();
    /** Null when the operation is reported elsewhere. */
    private final OperationActivities reporter;

    public OperationTracker(String operationId) {
        this(operationId, Activities.operationReports());
    }

    private OperationTracker(String operationId, OperationActivities reporter) {
        this.operationId = operationId;
        this.reporter = reporter;
    }

    /**
     * Runs steps and reports nothing: for work that another operation reports, such as an
     * environment deleted by its app's deletion, or the parts of a single clean-up step.
     */
    public static OperationTracker untracked() {
        return new OperationTracker(null, null);
    }

    public void started() {
        report(OperationStatus.RUNNING, null);
    }

    public void step(String name, Runnable body) {
        step(name, () -> {
            body.run();
            return null;
        });
    }

    public <T> T step(String name, Supplier<T> body) {
        int index = steps.size();
        steps.add(new OperationStep(name, StepStatus.RUNNING, Workflow.currentTimeMillis(), null, null));
        report(OperationStatus.RUNNING, null);
        try {
            T result = body.get();
            steps.set(index, steps.get(index).finish(StepStatus.SUCCEEDED, Workflow.currentTimeMillis(), null));
            return result;
        } catch (RuntimeException e) {
            steps.set(index, steps.get(index).finish(StepStatus.FAILED, Workflow.currentTimeMillis(), reason(e)));
            throw e;
        }
    }

    /** Records a step that had nothing to do, such as a stop of a stopped server: the operation is a no-op. */
    public void skip(String name) {
        long now = Workflow.currentTimeMillis();
        steps.add(new OperationStep(name, StepStatus.SKIPPED, now, now, null));
    }

    public void succeeded() {
        report(OperationStatus.SUCCEEDED, null);
    }

    public void failed(String error) {
        report(OperationStatus.FAILED, error);
    }

    /** The operation stopped on request; {@code reason} says what was done about it. */
    public void cancelled(String reason) {
        report(OperationStatus.CANCELLED, reason);
    }

    public List<OperationStep> steps() {
        return List.copyOf(steps);
    }

    private void report(OperationStatus status, String error) {
        if (reporter == null) {
            return;
        }
        var info = Workflow.getInfo();
        reporter.record(new OperationProgress(operationId, info.getWorkflowId(), info.getRunId(), status,
                List.copyOf(steps), error));
    }

    /** The most useful message of a failure chain: the innermost application failure's message. */
    public static String reason(Throwable e) {
        Throwable current = e;
        String message = e.getMessage();
        String activity = null;
        while (current != null) {
            if (current instanceof ActivityFailure af) {
                activity = af.getActivityType();
            }
            if (current instanceof ApplicationFailure af) {
                message = af.getOriginalMessage();
            } else if (current instanceof TimeoutFailure timeout) {
                // Temporal's own timeouts carry no message: name the timeout and the step, and the last attempt's failure.
                String cause = timeout.getCause() == null ? null : reason(timeout.getCause());
                return timedOut(activity, timeout) + (cause == null || cause.isBlank() ? "" : "; the last attempt: " + cause);
            } else if (!(current instanceof ActivityFailure) && !(current instanceof ChildWorkflowFailure)
                    && current instanceof TemporalFailure tf) {
                message = tf.getOriginalMessage();
            }
            current = current.getCause();
        }
        return message;
    }

    private static String timedOut(String activity, TimeoutFailure timeout) {
        String kind = timeout.getTimeoutType().name().replace("TIMEOUT_TYPE_", "").toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        String detail = timeout.getOriginalMessage() == null || timeout.getOriginalMessage().isBlank() ? "" : ": " + timeout.getOriginalMessage();
        return (activity == null ? "a step" : "step " + activity) + " timed out (" + kind + " timeout)" + detail;
    }
}
