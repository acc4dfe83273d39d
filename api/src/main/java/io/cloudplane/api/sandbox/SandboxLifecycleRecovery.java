package io.cloudplane.api.sandbox;

import io.cloudplane.api.common.RecoveryLoop;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.config.CdsTraining;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.temporal.WorkflowExecutions;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.common.WorkflowIds;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.UUID;

/**
 * Finds sandboxes whose lifecycle workflow is missing or ended while the sandbox still exists (a
 * database restored from backup, a Temporal namespace reset, the embedded Temporal's memory lost
 * in a restart) and starts it again from what the database knows: the last Studio access, and,
 * for a sleeping sandbox, since when it sleeps.
 */
@Singleton
@Requires(property = "cloudplane.sandbox.recovery.enabled", notEquals = "false")
@Requires(notEnv = CdsTraining.ENVIRONMENT) // a training start does nothing but start
public class SandboxLifecycleRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxLifecycleRecovery.class);
    private final AppRepository apps;
    private final EnvironmentRepository environments;
    private final SandboxLifecycles lifecycles;
    private final WorkflowClient client;

    public SandboxLifecycleRecovery(AppRepository apps, EnvironmentRepository environments, SandboxLifecycles lifecycles,
                                    WorkflowClient client) {
        this.apps = apps;
        this.environments = environments;
        this.lifecycles = lifecycles;
        this.client = client;
    }

    @Scheduled(initialDelay = "${cloudplane.sandbox.recovery.initial-delay:2s}", fixedDelay = "${cloudplane.sandbox.recovery.interval:10m}")
    public void recover() {
        int restarted = RecoveryLoop.overPages(LOG, apps::findActiveSandboxes, AppRecord::id,
                sandbox -> "check the lifecycle of sandbox " + sandbox.id(),
                sandbox -> !running(sandbox.id()) && restart(sandbox));
        if (restarted > 0) {
            LOG.info("Started the lifecycle of {} sandboxes again", restarted);
        }
    }

    private boolean running(UUID appId) {
        return WorkflowExecutions.isRunning(client, WorkflowIds.sandboxLifecycle(appId.toString()));
    }

    private boolean restart(AppRecord sandbox) {
        EnvironmentRecord env = environments.findByAppId(sandbox.id()).stream().findFirst().orElse(null);
        if (env == null || env.status() == EnvironmentStatus.PROVISIONING || env.status() == EnvironmentStatus.DELETING) {
            return false; // its own operation is still at work; the next pass looks again
        }
        Instant lastAccess = environments.findLastStudioAccess(env.id()).orElse(sandbox.createdAt());
        Long asleepSince = env.status() == EnvironmentStatus.SLEEPING ? env.updatedAt().toEpochMilli() : null;
        lifecycles.start(sandbox.id(), env.id(), sandbox.ownerId(), lastAccess.toEpochMilli(), asleepSince);
        LOG.info("Started the lifecycle of sandbox {} again ({})", sandbox.id(), asleepSince == null ? "awake" : "asleep");
        return true;
    }
}
