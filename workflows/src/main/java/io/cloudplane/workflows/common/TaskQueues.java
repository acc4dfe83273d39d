package io.cloudplane.workflows.common;

/** Task queue names: the contract between whoever starts a workflow and the workers that poll. */
public final class TaskQueues {
    /** Control-plane workflows and their activities. */
    public static final String CONTROL_PLANE = "cloudplane-control";

    private TaskQueues() {
    }
}
