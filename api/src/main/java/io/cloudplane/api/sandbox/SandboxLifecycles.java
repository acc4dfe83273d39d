package io.cloudplane.api.sandbox;

import io.cloudplane.workflows.common.TaskQueues;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.sandbox.LifecycleSchedule;
import io.cloudplane.workflows.sandbox.LifecycleSettings;
import io.cloudplane.workflows.sandbox.SandboxLifecycleInput;
import io.cloudplane.workflows.sandbox.SandboxLifecycleWorkflow;
import io.cloudplane.workflows.sandbox.WakeRequest;
import io.cloudplane.infra.sandbox.SandboxSettings;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
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
    private final LifecycleSettings settings;

    public SandboxLifecycles(WorkflowClient client, SandboxSettings sandbox) {
        this.client = client;
        this.settings = sandbox.lifecycle();
    }

    public LifecycleSettings settings() {
        return settings;
    }

    /** Starts the lifecycle unless it runs; {@code asleepSince} is null for an awake sandbox. */
    public void start(UUID appId, UUID envId, UUID ownerId, long lastStudioAccessAt, Long asleepSince) {
        SandboxLifecycleWorkflow lifecycle = client.newWorkflowStub(SandboxLifecycleWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(WorkflowIds.sandboxLifecycle(appId.toString()))
                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                .build());
        try {
            WorkflowClient.start(lifecycle::run, new SandboxLifecycleInput(appId.toString(), envId.toString(), ownerId.toString(),
                    settings, lastStudioAccessAt, asleepSince));
        } catch (WorkflowExecutionAlreadyStarted running) {
            LOG.debug("The lifecycle of sandbox {} runs already", appId);
        }
    }

    public void studioAccessed(UUID appId) {
        stub(appId).studioAccessed();
    }

    public void wake(UUID appId, String operationId, UUID actor) {
        stub(appId).wake(new WakeRequest(operationId, actor == null ? null : actor.toString()));
    }

    public Optional<LifecycleSchedule> schedule(UUID appId) {
        try {
            return Optional.of(stub(appId).schedule());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private SandboxLifecycleWorkflow stub(UUID appId) {
        return client.newWorkflowStub(SandboxLifecycleWorkflow.class, WorkflowIds.sandboxLifecycle(appId.toString()));
    }
}
