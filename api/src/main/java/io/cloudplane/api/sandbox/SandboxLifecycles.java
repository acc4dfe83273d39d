package io.cloudplane.api.sandbox;

import io.cloudplane.infra.temporal.WorkflowStarts;
import io.cloudplane.infra.temporal.WorkflowTags;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.sandbox.LifecycleSchedule;
import io.cloudplane.workflows.sandbox.LifecycleSettings;
import io.cloudplane.workflows.sandbox.SandboxLifecycleInput;
import io.cloudplane.workflows.sandbox.SandboxLifecycleWorkflow;
import io.cloudplane.workflows.sandbox.WakeRequest;
import io.cloudplane.infra.sandbox.SandboxSettings;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.UUID;

/** Starts, signals and queries the {@code sandbox-lifecycle/<appId>} workflows, with the durations of {@link SandboxSettings}. */
@Singleton
public class SandboxLifecycles {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxLifecycles.class);
    private final WorkflowClient client;
    private final WorkflowStarts starts;
    private final LifecycleSettings settings;

    public SandboxLifecycles(WorkflowClient client, WorkflowStarts starts, SandboxSettings sandbox) {
        this.client = client;
        this.starts = starts;
        this.settings = sandbox.lifecycle();
    }

    public LifecycleSettings settings() {
        return settings;
    }

    /** Starts the lifecycle unless it runs; {@code asleepSince} is null for an awake sandbox. */
    public void start(UUID appId, UUID envId, UUID ownerId, long lastStudioAccessAt, Long asleepSince) {
        try {
            WorkflowClient.start(newStub(appId, WorkflowTags.of(appId, envId, null))::run, input(appId, envId, ownerId, lastStudioAccessAt, asleepSince, false));
        } catch (WorkflowExecutionAlreadyStarted running) {
            LOG.debug("The lifecycle of sandbox {} runs already", appId);
        }
    }

    /** Starts the lifecycle asleep, unless it runs, with the wake of operation {@code operationId}: that wake comes first. */
    public void startWithWake(UUID appId, UUID envId, UUID ownerId, long lastStudioAccessAt, long asleepSince,
                              String operationId, UUID actor) {
        // Not the wake's operation: the lifecycle outlives it, and its memo would name the wake for good.
        SandboxLifecycleWorkflow lifecycle = newStub(appId, WorkflowTags.of(appId, envId, null));
        BatchRequest request = client.newSignalWithStartRequest();
        request.add(lifecycle::run, input(appId, envId, ownerId, lastStudioAccessAt, asleepSince, false));
        request.add(lifecycle::wake, new WakeRequest(operationId, actor == null ? null : actor.toString()));
        client.signalWithStart(request);
    }

    /** Starts the lifecycle, unless it runs, to carry on the deletion a lost run began and send the last email. */
    public void resumeDeletion(UUID appId, UUID envId, UUID ownerId, long lastStudioAccessAt, long asleepSince) {
        try {
            WorkflowClient.start(newStub(appId, WorkflowTags.of(appId, envId, null))::run, input(appId, envId, ownerId, lastStudioAccessAt, asleepSince, true));
        } catch (WorkflowExecutionAlreadyStarted running) {
            LOG.debug("The lifecycle of sandbox {} runs already", appId);
        }
    }

    private SandboxLifecycleInput input(UUID appId, UUID envId, UUID ownerId, long lastStudioAccessAt, Long asleepSince,
                                        boolean deletionBegun) {
        return new SandboxLifecycleInput(appId.toString(), envId.toString(), ownerId.toString(), settings, lastStudioAccessAt,
                asleepSince, deletionBegun);
    }

    private SandboxLifecycleWorkflow newStub(UUID appId, WorkflowTags tags) {
        return client.newWorkflowStub(SandboxLifecycleWorkflow.class, starts.options(WorkflowIds.sandboxLifecycle(appId.toString()), tags));
    }

    /**
     * Tells the lifecycle of the Studio access the caller recorded first (environments'
     * {@code last_studio_access_at}). A lifecycle that is not there (the embedded Temporal forgot
     * it in a restart, and the recovery has not started it again yet) is no failure of the access:
     * the recovery starts it from the recorded access.
     */
    public void studioAccessed(UUID appId) {
        try {
            stub(appId).studioAccessed();
        } catch (io.temporal.client.WorkflowNotFoundException gone) {
            org.slf4j.LoggerFactory.getLogger(SandboxLifecycles.class).info(
                    "Studio access to sandbox {} recorded; its lifecycle is not running yet (the recovery starts it from the record)", appId);
        }
    }

    public void wake(UUID appId, String operationId, UUID actor) {
        stub(appId).wake(new WakeRequest(operationId, actor == null ? null : actor.toString()));
    }

    public Optional<LifecycleSchedule> schedule(UUID appId) {
        // A query is answered by a worker: with none polling (workers down, or restarting), it would wait for the
        // client's whole query timeout, and the page or answer that shows the schedule with it. Bounded instead:
        // the gRPC call takes the earlier of its own deadline and its Context's.
        io.grpc.Context.CancellableContext bounded = io.grpc.Context.current()
                .withDeadlineAfter(QUERY_DEADLINE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS, DEADLINES);
        try {
            return Optional.of(bounded.call(() -> stub(appId).schedule()));
        } catch (Exception e) {
            return Optional.empty();
        } finally {
            bounded.cancel(null);
        }
    }

    /** How long the schedule's query may wait for a worker to answer it. */
    static final java.time.Duration QUERY_DEADLINE = java.time.Duration.ofSeconds(2);
    private static final java.util.concurrent.ScheduledExecutorService DEADLINES =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "sandbox-lifecycle-query-deadlines");
                thread.setDaemon(true);
                return thread;
            });

    private SandboxLifecycleWorkflow stub(UUID appId) {
        return client.newWorkflowStub(SandboxLifecycleWorkflow.class, WorkflowIds.sandboxLifecycle(appId.toString()));
    }
}
