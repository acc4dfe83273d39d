package io.cloudplane.worker;

import io.cloudplane.activities.backup.BackupActivitiesImpl;
import io.cloudplane.activities.code.CodeActivitiesImpl;
import io.cloudplane.activities.release.DeploymentActivitiesImpl;
import io.cloudplane.activities.release.PromotionActivitiesImpl;
import io.cloudplane.activities.release.ReleaseActivitiesImpl;
import io.cloudplane.workflows.app.CloneApplicationWorkflowImpl;
import io.cloudplane.workflows.release.CreateReleaseWorkflowImpl;
import io.cloudplane.workflows.release.DeployReleaseWorkflowImpl;
import io.cloudplane.workflows.release.PromotionWorkflowImpl;
import io.cloudplane.activities.backup.BackupScheduleActivitiesImpl;
import io.cloudplane.activities.environment.DatabaseActivitiesImpl;
import io.cloudplane.activities.environment.EnvironmentActivitiesImpl;
import io.cloudplane.activities.environment.FileActivitiesImpl;
import io.cloudplane.activities.operation.OperationActivitiesImpl;
import io.cloudplane.activities.backup.RestoreActivitiesImpl;
import io.cloudplane.activities.server.RuntimeActivitiesImpl;
import io.cloudplane.infra.config.CdsTraining;
import io.cloudplane.activities.sandbox.SandboxActivitiesImpl;
import io.cloudplane.workflows.app.DeleteApplicationWorkflowImpl;
import io.cloudplane.workflows.backup.BackupScheduleWorkflowImpl;
import io.cloudplane.workflows.backup.BackupWorkflowImpl;
import io.cloudplane.workflows.backup.RestoreWorkflowImpl;
import io.cloudplane.workflows.common.TaskQueues;
import io.cloudplane.workflows.environment.DeleteEnvironmentWorkflowImpl;
import io.cloudplane.workflows.environment.ProvisionEnvironmentWorkflowImpl;
import io.cloudplane.workflows.sandbox.SandboxLifecycleWorkflowImpl;
import io.cloudplane.workflows.server.ServerActionWorkflowsImpl;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.env.Environment;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Polls the control-plane task queue. Workflows are registered by type, so Temporal makes a fresh
 * instance for every execution; activities are Micronaut singletons. Disable with
 * {@code CLOUDPLANE_WORKER_ENABLED=false} for an API-only process. A training start
 * ({@link CdsTraining}) builds the worker, so that its classes go into the class-data-sharing
 * archive, but never polls.
 */
@Context
@Requires(property = "cloudplane.worker.enabled", notEquals = "false")
public class TemporalWorker {
    private static final Logger LOG = LoggerFactory.getLogger(TemporalWorker.class);
    private final WorkerFactory factory;

    public TemporalWorker(WorkflowClient client, DatabaseActivitiesImpl databases, FileActivitiesImpl files,
                          RuntimeActivitiesImpl runtime, EnvironmentActivitiesImpl environments, OperationActivitiesImpl operations,
                          SandboxActivitiesImpl sandbox, BackupActivitiesImpl backups, BackupScheduleActivitiesImpl backupSlots,
                          RestoreActivitiesImpl restores, ReleaseActivitiesImpl releases, DeploymentActivitiesImpl deployments,
                          PromotionActivitiesImpl promotions, CodeActivitiesImpl code,
                          io.cloudplane.activities.server.ServerUpdateActivitiesImpl serverUpdates,
                          @Value("${cloudplane.worker.max-concurrent-activities:50}") int maxActivities) {
        this.factory = WorkerFactory.newInstance(client);
        Worker worker = factory.newWorker(TaskQueues.CONTROL_PLANE, WorkerOptions.newBuilder()
                .setMaxConcurrentActivityExecutionSize(maxActivities)
                .build());
        worker.registerWorkflowImplementationTypes(ProvisionEnvironmentWorkflowImpl.class, DeleteEnvironmentWorkflowImpl.class,
                DeleteApplicationWorkflowImpl.class, ServerActionWorkflowsImpl.Stop.class, ServerActionWorkflowsImpl.Start.class,
                ServerActionWorkflowsImpl.Restart.class, SandboxLifecycleWorkflowImpl.class, BackupWorkflowImpl.class,
                BackupScheduleWorkflowImpl.class, RestoreWorkflowImpl.class, CreateReleaseWorkflowImpl.class,
                DeployReleaseWorkflowImpl.class, PromotionWorkflowImpl.class, CloneApplicationWorkflowImpl.class,
                io.cloudplane.workflows.server.UpdateServerWorkflowImpl.class);
        worker.registerActivitiesImplementations(databases, files, runtime, environments, operations, sandbox, backups, backupSlots,
                restores, releases, deployments, promotions, code, serverUpdates);
    }

    @PostConstruct
    void start(Environment environment) {
        if (environment.getActiveNames().contains(CdsTraining.ENVIRONMENT)) {
            return;
        }
        factory.start();
        LOG.info("Temporal worker polling task queue {}", TaskQueues.CONTROL_PLANE);
    }

    /** Whether the worker polls its task queue (a training start's never does). */
    boolean polling() {
        return factory.isStarted() && !factory.isShutdown();
    }

    @PreDestroy
    void stop() {
        factory.shutdown();
        factory.awaitTermination(10, TimeUnit.SECONDS);
    }
}
