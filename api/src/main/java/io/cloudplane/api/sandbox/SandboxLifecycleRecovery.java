package io.cloudplane.api.sandbox;

import io.cloudplane.api.common.RecoveryLoop;
import io.cloudplane.api.operation.OperationOwner;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.config.CdsTraining;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.infra.temporal.WorkflowExecutions;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.operation.OperationType;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Finds sandboxes whose lifecycle workflow is missing or ended while the sandbox still exists (a
 * database restored from backup, a Temporal namespace reset, the embedded Temporal's memory lost
 * in a restart) and starts it again from what the database knows: the last Studio access, and,
 * for a sleeping sandbox, since when it sleeps.
 *
 * <p>It is the one owner of the lifecycle's unfinished operations ({@link OperationOwner}): a sleep
 * (recorded under the lifecycle's workflow ID), a wake, and a deletion the lifecycle began. The
 * reconciler hands them here on each of its passes, so they are carried on by the lifecycle they
 * belong to (which sends the emails) within the reconciler's period, and never by a second, racing
 * workflow: a sleep by an awake lifecycle whose idle period is over, a wake by an asleep one given
 * that wake first (not a lifecycle left to find its deletion overdue and delete the sandbox being
 * woken), a deletion by one that goes straight to it and then sends the last email.
 */
@Singleton
@Requires(property = "cloudplane.sandbox.recovery.enabled", notEquals = "false")
@Requires(notEnv = CdsTraining.ENVIRONMENT) // a training start does nothing but start
public class SandboxLifecycleRecovery implements OperationOwner {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxLifecycleRecovery.class);
    private final AppRepository apps;
    private final EnvironmentRepository environments;
    private final OperationRepository operations;
    private final SandboxLifecycles lifecycles;
    private final WorkflowClient client;

    public SandboxLifecycleRecovery(AppRepository apps, EnvironmentRepository environments, OperationRepository operations,
                                    SandboxLifecycles lifecycles, WorkflowClient client) {
        this.apps = apps;
        this.environments = environments;
        this.operations = operations;
        this.lifecycles = lifecycles;
        this.client = client;
    }

    @Scheduled(initialDelay = "${cloudplane.sandbox.recovery.initial-delay:2s}", fixedDelay = "${cloudplane.sandbox.recovery.interval:10m}")
    public void recover() {
        int restarted = RecoveryLoop.overPages(LOG, apps::findSandboxes, AppRecord::id,
                sandbox -> "check the lifecycle of sandbox " + sandbox.id(),
                sandbox -> !running(sandbox.id()) && restart(sandbox));
        if (restarted > 0) {
            LOG.info("Started the lifecycle of {} sandboxes again", restarted);
        }
    }

    @Override
    public boolean owns(OperationRecord op) {
        boolean lifecycles = switch (op.type()) {
            case SLEEP_SANDBOX, WAKE_SANDBOX -> true;
            case DELETE_APPLICATION -> op.userId() == null; // an owner's own deletion of the sandbox is the reconciler's
            default -> false;
        };
        // Once the sandbox's row is gone (its deletion forgot it) no lifecycle can run: its kind's workflow finishes it.
        return lifecycles && apps.findById(op.appId()).map(app -> app.kind() == AppRecord.AppKind.SANDBOX).orElse(false);
    }

    @Override
    public boolean recover(OperationRecord op) {
        Optional<AppRecord> sandbox = apps.findById(op.appId());
        if (sandbox.isEmpty()) {
            return false;
        }
        if (running(op.appId())) {
            // A wake whose signal never reached the running lifecycle (Temporal was unreachable when it was asked for):
            // signalled again. One the lifecycle already handles is answered once; a repeat is refused, and refusing a
            // finished operation changes nothing.
            if (op.type() == OperationType.WAKE_SANDBOX && op.envId() != null
                    && !WorkflowExecutions.isRunning(client, WorkflowIds.startServer(op.envId().toString()))) {
                lifecycles.wake(op.appId(), op.id().toString(), op.userId());
                return true;
            }
            return false;
        }
        return restart(sandbox.get());
    }

    private boolean running(UUID appId) {
        return WorkflowExecutions.isRunning(client, WorkflowIds.sandboxLifecycle(appId.toString()));
    }

    /** Synchronized: the reconciler and this job's own pass may reach the same sandbox at once. */
    private synchronized boolean restart(AppRecord sandbox) {
        if (running(sandbox.id())) {
            return false;
        }
        List<OperationRecord> unfinished = operations.findUnfinishedForApp(sandbox.id());
        EnvironmentRecord env = environments.findByAppId(sandbox.id()).stream().findFirst().orElse(null);
        Instant lastAccess = env == null ? sandbox.createdAt() : environments.findLastStudioAccess(env.id()).orElse(sandbox.createdAt());
        // A wake starts a fresh idle period, as the lifecycle counts it: a lifecycle started again right after a wake
        // must not put the sandbox to sleep at once because the database kept only the Studio accesses (crash harness).
        Instant lastWake = operations.findLastSucceeded(sandbox.id(), OperationType.WAKE_SANDBOX.name())
                .map(OperationRecord::updatedAt).orElse(null);
        if (lastWake != null && lastWake.isAfter(lastAccess)) {
            lastAccess = lastWake;
        }
        Optional<OperationRecord> deletion = find(unfinished, OperationType.DELETE_APPLICATION).filter(op -> op.userId() == null);
        if (deletion.isPresent()) {
            UUID envId = env != null ? env.id()
                    : operations.findFirstOnAnEnvironment(sandbox.id()).map(OperationRecord::envId).orElse(null);
            if (envId == null) {
                return false; // never had an environment: its kind's workflow is all there is
            }
            long asleepSince = (env != null ? env.updatedAt() : deletion.get().createdAt()).toEpochMilli();
            lifecycles.resumeDeletion(sandbox.id(), envId, sandbox.ownerId(), lastAccess.toEpochMilli(), asleepSince);
            LOG.info("Started the lifecycle of sandbox {} again to carry on its deletion", sandbox.id());
            return true;
        }
        if (sandbox.status() != AppRecord.AppStatus.ACTIVE) {
            return false; // its owner's deletion: the reconciler's
        }
        if (env == null || env.status() == EnvironmentStatus.PROVISIONING || env.status() == EnvironmentStatus.DELETING) {
            return false; // its own operation is still at work; the next pass looks again
        }
        Optional<OperationRecord> wake = find(unfinished, OperationType.WAKE_SANDBOX);
        if (wake.isPresent()) {
            long asleepSince = (env.status() == EnvironmentStatus.SLEEPING ? env.updatedAt() : wake.get().createdAt()).toEpochMilli();
            lifecycles.startWithWake(sandbox.id(), env.id(), sandbox.ownerId(), lastAccess.toEpochMilli(), asleepSince,
                    wake.get().id().toString(), wake.get().userId());
            LOG.info("Started the lifecycle of sandbox {} again with its unfinished wake {}", sandbox.id(), wake.get().id());
            return true;
        }
        if (find(unfinished, OperationType.SLEEP_SANDBOX).isPresent()) {
            // The sleep had begun: the idle period is over whatever access time the database kept, and the lifecycle's
            // sleep carries on the unfinished operation.
            long idleOver = System.currentTimeMillis() - lifecycles.settings().idleMillis();
            lifecycles.start(sandbox.id(), env.id(), sandbox.ownerId(), Math.min(lastAccess.toEpochMilli(), idleOver), null);
            LOG.info("Started the lifecycle of sandbox {} again to carry on its sleep", sandbox.id());
            return true;
        }
        Long asleepSince = env.status() == EnvironmentStatus.SLEEPING ? env.updatedAt().toEpochMilli() : null;
        lifecycles.start(sandbox.id(), env.id(), sandbox.ownerId(), lastAccess.toEpochMilli(), asleepSince);
        LOG.info("Started the lifecycle of sandbox {} again ({})", sandbox.id(), asleepSince == null ? "awake" : "asleep");
        return true;
    }

    private static Optional<OperationRecord> find(List<OperationRecord> unfinished, OperationType type) {
        return unfinished.stream().filter(op -> op.type() == type).findFirst();
    }
}
