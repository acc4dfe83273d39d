package io.cloudplane.workflows.sandbox;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * {@code sandbox-lifecycle/<appId>}: asleep after the idle period without Studio access, woken at
 * login or on request, deleted after the configured time asleep, with notices first.
 */
@WorkflowInterface
public interface SandboxLifecycleWorkflow {
    @WorkflowMethod
    void run(SandboxLifecycleInput input);

    /** The owner opened the Studio: the idle clock restarts. */
    @SignalMethod
    void studioAccessed();

    /** The owner logged in, or asked for a wake. A no-op while awake; refused once deletion has begun. */
    @SignalMethod
    void wake(WakeRequest request);

    @QueryMethod
    LifecycleSchedule schedule();
}
