package io.cloudplane.api.sandbox;

import io.cloudplane.workflows.common.TaskQueues;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.sandbox.LifecycleSchedule;
import io.cloudplane.workflows.sandbox.LifecycleSettings;
import io.cloudplane.workflows.sandbox.SandboxLifecycleInput;
import io.cloudplane.workflows.sandbox.SandboxLifecycleWorkflow;
import io.cloudplane.workflows.sandbox.WakeRequest;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.convert.ConversionService;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Starts, signals and queries the {@code sandbox-lifecycle/<appId>} workflows. Durations come from
 * {@code cloudplane.sandbox.idle-period} (7d), {@code .delete-after} (90d, from falling asleep)
 * and {@code .deletion-notices} (14d,1d: lead times before the deletion).
 */
@Singleton
public class SandboxLifecycles {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxLifecycles.class);
    private final WorkflowClient client;
    private final LifecycleSettings settings;

    public SandboxLifecycles(WorkflowClient client, ConversionService conversion,
                             @Value("${cloudplane.sandbox.idle-period:7d}") String idle,
                             @Value("${cloudplane.sandbox.delete-after:90d}") String deleteAfter,
                             @Value("${cloudplane.sandbox.deletion-notices:14d,1d}") String notices) {
        this.client = client;
        long idleMillis = duration(conversion, "cloudplane.sandbox.idle-period", idle);
        long deleteMillis = duration(conversion, "cloudplane.sandbox.delete-after", deleteAfter);
        List<Long> leads = new ArrayList<>();
        for (String lead : notices.split(",")) {
            long millis = duration(conversion, "cloudplane.sandbox.deletion-notices", lead.trim());
            if (millis >= deleteMillis) {
                throw new IllegalArgumentException("cloudplane.sandbox.deletion-notices: a lead time (" + lead.trim()
                        + ") must be shorter than cloudplane.sandbox.delete-after (" + deleteAfter + ")");
            }
            leads.add(millis);
        }
        if (leads.isEmpty()) {
            throw new IllegalArgumentException("cloudplane.sandbox.deletion-notices needs at least one lead time: nothing is deleted without notice");
        }
        this.settings = new LifecycleSettings(idleMillis, deleteMillis, List.copyOf(leads));
    }

    private static long duration(ConversionService conversion, String name, String value) {
        Duration d = conversion.convert(value.trim(), Duration.class)
                .orElseThrow(() -> new IllegalArgumentException(name + ": '" + value + "' is not a duration (say 7d, 12h, 30m or 45s)"));
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return d.toMillis();
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
