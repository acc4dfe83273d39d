package io.cloudplane.workflows.sandbox;

import io.cloudplane.workflows.operation.OperationType;
import io.cloudplane.workflows.app.DeleteApplicationRequest;
import io.cloudplane.workflows.app.DeleteApplicationWorkflow;
import io.cloudplane.workflows.common.Activities;
import io.cloudplane.workflows.common.ChangeIds;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.server.ServerActionRequest;
import io.cloudplane.workflows.server.StartServerWorkflow;
import io.cloudplane.workflows.server.StopServerWorkflow;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One cycle per run: awake until the idle period passes, asleep until woken or deleted. A wake
 * starts the next cycle with continue-as-new, and so does a long run of Studio accesses, so the
 * history stays small however long the sandbox lives.
 */
public class SandboxLifecycleWorkflowImpl implements SandboxLifecycleWorkflow {
    /** Studio accesses handled by one run before it continues as new. */
    static final int MAX_SIGNALS_PER_RUN = 500;

    private final SandboxActivities sandbox = Activities.sandbox();
    /** The sleep runs as a local activity: one workflow task per sleep (docs/benchmarks.md). */
    private final SandboxActivities sleeper = Activities.sandboxSleep();

    private SandboxLifecycleInput input;
    private long lastAccess;
    private Long asleepSince;
    private final List<Long> noticesSentAt = new ArrayList<>();
    private boolean accessPending;
    private long pendingAccessAt;
    private final List<WakeRequest> wakes = new ArrayList<>();
    private boolean deleting;
    private int signals;

    @Override
    public void run(SandboxLifecycleInput in) {
        input = in;
        lastAccess = in.lastStudioAccessAt();
        asleepSince = in.asleepSince();
        if (in.deletionBegun() && asleepSince != null
                && Workflow.getVersion(ChangeIds.RESUME_SANDBOX_DELETION, Workflow.DEFAULT_VERSION, 1) == 1) {
            delete();
            return;
        }
        if (asleepSince == null && !stayAwake()) {
            return; // continued as new
        }
        if (asleepSince == null) {
            fallAsleep();
        }
        stayAsleep();
    }

    @Override
    public void studioAccessed() {
        signals++;
        accessPending = true;
        pendingAccessAt = Workflow.currentTimeMillis();
    }

    @Override
    public void wake(WakeRequest request) {
        wakes.add(request);
    }

    @Override
    public LifecycleSchedule schedule() {
        LifecycleSettings s = input.settings();
        if (asleepSince == null) {
            return new LifecycleSchedule(LifecyclePhase.AWAKE, lastAccess, lastAccess + s.idleMillis(), null, null, null);
        }
        List<Long> notices = new ArrayList<>();
        for (long lead : sortedLeads()) {
            notices.add(asleepSince + s.deleteAfterMillis() - lead);
        }
        return new LifecycleSchedule(deleting ? LifecyclePhase.DELETING : LifecyclePhase.ASLEEP, lastAccess, null,
                asleepSince, notices, deletesAt());
    }

    /** Returns true when the idle period has passed, false when the run continued as new. */
    private boolean stayAwake() {
        while (true) {
            long wait = lastAccess + input.settings().idleMillis() - Workflow.currentTimeMillis();
            if (wait <= 0) {
                return true;
            }
            Workflow.await(Duration.ofMillis(wait), () -> accessPending || !wakes.isEmpty());
            if (accessPending) {
                accessPending = false;
                lastAccess = pendingAccessAt;
                if (signals >= MAX_SIGNALS_PER_RUN) {
                    continueAsNew(null);
                    return false;
                }
            }
            refuseWakes("the sandbox is awake: nothing to wake");
        }
    }

    private void fallAsleep() {
        if (Workflow.getVersion(ChangeIds.SLEEP_IN_ONE_ACTIVITY, Workflow.DEFAULT_VERSION, 1) == 1) {
            // Asleep from the moment the idle period ended; the deletion is counted from there.
            asleepSince = Workflow.currentTimeMillis();
            sleeper.fallAsleep(new SleepRequest("sleep-" + lastAccess, input.appId(), input.envId(), input.ownerUserId(),
                    deletesAt()));
            return;
        }
        String opId = sandbox.beginOperation("sleep-" + lastAccess, input.appId(), input.envId(), OperationType.SLEEP_SANDBOX, null);
        Workflow.newChildWorkflowStub(StopServerWorkflow.class, child(WorkflowIds.stopServer(input.envId())))
                .stop(new ServerActionRequest(opId, input.appId(), input.envId(), EnvironmentStatus.SLEEPING));
        asleepSince = Workflow.currentTimeMillis();
        sandbox.sendSandboxMail(new SandboxMail(input.appId(), input.ownerUserId(), SandboxMail.Kind.ASLEEP, deletesAt()));
    }

    private void stayAsleep() {
        for (long lead : sortedLeads()) {
            if (!sleepUntil(asleepSince + input.settings().deleteAfterMillis() - lead)) {
                wakeUp();
                return;
            }
            sandbox.sendSandboxMail(new SandboxMail(input.appId(), input.ownerUserId(), SandboxMail.Kind.DELETION_NOTICE, deletesAt()));
            noticesSentAt.add(Workflow.currentTimeMillis());
        }
        // A notice sent late (the worker was down) pushes the deletion back: every notice comes at
        // least its lead time before the deletion.
        while (Workflow.currentTimeMillis() < deletesAt()) {
            if (!sleepUntil(deletesAt())) {
                wakeUp();
                return;
            }
        }
        delete();
    }

    /**
     * The deletion (carried on if a lost run began it: the operation is found by the activity), with
     * the last email, which the deletion sends before it forgets the sandbox (change
     * {@code farewell-before-forget}; before it, the lifecycle sent it after the deletion).
     */
    private void delete() {
        deleting = true;
        refuseWakes("the sandbox is being deleted");
        String opId = sandbox.beginOperation("delete-" + asleepSince, input.appId(), null, OperationType.DELETE_APPLICATION, null);
        DeleteApplicationWorkflow deletion = Workflow.newChildWorkflowStub(DeleteApplicationWorkflow.class,
                child(WorkflowIds.deleteApplication(input.appId())));
        if (Workflow.getVersion(ChangeIds.FAREWELL_BEFORE_FORGET, Workflow.DEFAULT_VERSION, 1) == 1) {
            // the deletion sends it before it forgets the sandbox's record: no kill can come between the two
            deletion.delete(new DeleteApplicationRequest(opId, input.appId(),
                    new SandboxMail(input.appId(), input.ownerUserId(), SandboxMail.Kind.DELETED, deletesAt())));
        } else {
            deletion.delete(new DeleteApplicationRequest(opId, input.appId(), null));
            sandbox.sendSandboxMail(new SandboxMail(input.appId(), input.ownerUserId(), SandboxMail.Kind.DELETED, Workflow.currentTimeMillis()));
        }
        refuseWakes("the sandbox was deleted");
    }

    /** Sleeps until {@code at}; false when a wake came first. */
    private boolean sleepUntil(long at) {
        long wait = at - Workflow.currentTimeMillis();
        if (wait > 0) {
            Workflow.await(Duration.ofMillis(wait), () -> !wakes.isEmpty());
        }
        return wakes.isEmpty();
    }

    private void wakeUp() {
        WakeRequest wake = wakes.remove(0);
        String opId = wake.operationId() != null ? wake.operationId()
                : sandbox.beginOperation("wake-" + asleepSince, input.appId(), input.envId(), OperationType.WAKE_SANDBOX, wake.actorUserId());
        Workflow.newChildWorkflowStub(StartServerWorkflow.class, child(WorkflowIds.startServer(input.envId())))
                .start(new ServerActionRequest(opId, input.appId(), input.envId(), null));
        refuseWakes("the sandbox was woken by operation " + opId);
        long now = Workflow.currentTimeMillis();
        sandbox.sendSandboxMail(new SandboxMail(input.appId(), input.ownerUserId(), SandboxMail.Kind.AWAKE, now + input.settings().idleMillis()));
        lastAccess = now;
        asleepSince = null;
        continueAsNew(null);
    }

    /** Answers each waiting wake that carries an operation with the reason, also those that arrive meanwhile. */
    private void refuseWakes(String reason) {
        while (!wakes.isEmpty()) {
            WakeRequest wake = wakes.remove(0);
            if (wake.operationId() != null) {
                sandbox.refuseOperation(wake.operationId(), reason);
            }
        }
    }

    private void continueAsNew(Long asleep) {
        Workflow.continueAsNew(new SandboxLifecycleInput(input.appId(), input.envId(), input.ownerUserId(), input.settings(),
                lastAccess, asleep));
    }

    private long deletesAt() {
        long at = asleepSince + input.settings().deleteAfterMillis();
        List<Long> leads = sortedLeads();
        for (int i = 0; i < noticesSentAt.size(); i++) {
            at = Math.max(at, noticesSentAt.get(i) + leads.get(i));
        }
        return at;
    }

    /** Longest lead first: the order in which the notices go out. */
    private List<Long> sortedLeads() {
        List<Long> leads = new ArrayList<>(input.settings().noticeLeadMillis());
        leads.sort((a, b) -> Long.compare(b, a));
        return leads;
    }

    private static ChildWorkflowOptions child(String workflowId) {
        return ChildWorkflowOptions.newBuilder().setWorkflowId(workflowId).build();
    }
}
