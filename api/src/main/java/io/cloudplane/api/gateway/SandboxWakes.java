package io.cloudplane.api.gateway;

import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.sandbox.SandboxLifecycles;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.workflows.operation.OperationType;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.TaskScheduler;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@link SandboxWaking}: the wake a login asks for (the lifecycle's {@code wake} signal, with which
 * the lifecycle makes its WAKE_SANDBOX operation), asked for by a Studio request of the owner. Requests for one
 * environment share one wait in memory, and a wake operation already under way (asked for by the
 * API, a login or another process) is joined, not doubled. The wait holds no thread: a check every
 * {@value #POLL_MILLIS} ms, scheduled, each on the blocking executor (it reads the database), until
 * the environment is RUNNING (true), cannot be woken (false: stopped by its owner, failed, being
 * deleted, gone, or a wake that ended without waking it), or {@code cloudplane.gateway.wake-wait}
 * has passed (false; the wake itself carries on, and a later request joins it).
 */
@Singleton
public class SandboxWakes implements SandboxWaking {
    static final long POLL_MILLIS = 100;
    private static final Duration POLL = Duration.ofMillis(POLL_MILLIS);
    private static final Logger LOG = LoggerFactory.getLogger(SandboxWakes.class);
    private final EnvironmentRepository environments;
    private final AppRepository apps;
    private final OperationRepository operations;
    private final AccessService access;
    private final SandboxLifecycles lifecycles;
    private final Duration wakeWait;
    private final TaskScheduler scheduler;
    private final ExecutorService blocking;
    private final ConcurrentMap<UUID, Wait> waits = new ConcurrentHashMap<>();

    public SandboxWakes(EnvironmentRepository environments, AppRepository apps, OperationRepository operations,
                        AccessService access, SandboxLifecycles lifecycles, GatewaySettings settings,
                        @Named(TaskExecutors.SCHEDULED) TaskScheduler scheduler,
                        @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
        this.environments = environments;
        this.apps = apps;
        this.operations = operations;
        this.access = access;
        this.lifecycles = lifecycles;
        this.wakeWait = settings.wakeWait();
        this.scheduler = scheduler;
        this.blocking = blocking;
    }

    @Override
    public CompletionStage<Boolean> wake(UUID appId, UUID envId, UUID ownerId) {
        Wait created = new Wait(appId, envId, ownerId, System.nanoTime() + wakeWait.toNanos());
        Wait wait = waits.putIfAbsent(envId, created);
        if (wait == null) {
            wait = created;
            submit(wait);
        }
        return wait.result.minimalCompletionStage();
    }

    /** How many environments are waited for now (for tests and metrics). */
    public int waiting() {
        return waits.size();
    }

    private void submit(Wait wait) {
        try {
            blocking.execute(() -> check(wait));
        } catch (RejectedExecutionException shuttingDown) {
            finish(wait, false);
        }
    }

    private void check(Wait wait) {
        Boolean outcome;
        try {
            outcome = step(wait);
        } catch (RuntimeException e) {
            LOG.warn("Waking sandbox {}: {}", wait.appId, e.toString());
            outcome = null; // the database or Temporal away for a moment: try again until the wait is over
        }
        if (outcome == null && System.nanoTime() - wait.deadline >= 0) {
            outcome = false;
        }
        if (outcome != null) {
            finish(wait, outcome);
            return;
        }
        try {
            scheduler.schedule(POLL, () -> submit(wait));
        } catch (RejectedExecutionException shuttingDown) {
            finish(wait, false);
        }
    }

    private void finish(Wait wait, boolean running) {
        waits.remove(wait.envId, wait);
        wait.result.complete(running);
    }

    /** True: running; false: it will not run; null: not yet. */
    private Boolean step(Wait wait) {
        Optional<EnvironmentRecord> found = environments.findById(wait.envId);
        Optional<AppRecord> app = apps.findById(wait.appId);
        if (found.isEmpty() || app.isEmpty() || app.get().status() == AppRecord.AppStatus.DELETING
                || app.get().kind() != AppRecord.AppKind.SANDBOX) {
            return false;
        }
        switch (found.get().status()) {
            case RUNNING:
                return true;
            case SLEEPING:
                return askOrJoin(wait);
            case STOPPED: // stopped by its owner: only the owner starts it again
            case FAILED:
            case DELETING:
                return false;
            default: // provisioning, updating, deploying, restoring: it may run soon
                return null;
        }
    }

    private Boolean askOrJoin(Wait wait) {
        Optional<OperationRecord> active = operations.findActiveForEnvironment(wait.envId);
        if (active.isPresent()) {
            if (active.get().type() == OperationType.WAKE_SANDBOX) {
                wait.wakeUnderWay = true;
            }
            return null; // a wake: joined; anything else (a sleep finishing): asked again once it is over
        }
        if (wait.wakeUnderWay) {
            return false; // the wake ended and the sandbox still sleeps: refused (its deletion has begun) or failed
        }
        if (wait.signalled) {
            return null; // signalled: the lifecycle begins its wake operation when it takes the signal
        }
        try {
            access.requireOwner(wait.ownerId, wait.appId);
        } catch (ApiException e) {
            LOG.info("Sandbox {} not woken for its Studio: {}", wait.appId, e.getMessage());
            return false;
        }
        try {
            // As a login does: the lifecycle makes the WAKE_SANDBOX operation itself (its actor, the owner). An
            // operation made here could meet the one a login's wake makes in the same moment (one unfinished
            // operation per environment), and each would wait for the other.
            lifecycles.wake(wait.appId, null, wait.ownerId);
        } catch (RuntimeException e) {
            LOG.warn("Sandbox {} not woken for its Studio: its lifecycle is not running ({})", wait.appId, e.toString());
            return false;
        }
        wait.signalled = true;
        LOG.info("Waking sandbox {} for a Studio request", wait.appId);
        return null;
    }

    private static final class Wait {
        final UUID appId;
        final UUID envId;
        final UUID ownerId;
        final long deadline;
        final CompletableFuture<Boolean> result = new CompletableFuture<>();
        /** Only the one check at a time of this wait reads and writes them. */
        volatile boolean wakeUnderWay;
        volatile boolean signalled;

        Wait(UUID appId, UUID envId, UUID ownerId, long deadline) {
            this.appId = appId;
            this.envId = envId;
            this.ownerId = ownerId;
            this.deadline = deadline;
        }
    }
}
