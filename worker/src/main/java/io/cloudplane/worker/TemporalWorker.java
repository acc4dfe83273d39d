package io.cloudplane.worker;

import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.infra.config.CdsTraining;
import io.cloudplane.workflows.common.TaskQueues;
import io.cloudplane.workflows.common.WorkflowImplementations;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Polls the control-plane task queue. Workflows ({@link WorkflowImplementations#ALL}) are
 * registered by type, so Temporal makes a fresh instance for every execution; activities are the
 * Micronaut singletons marked {@link ControlPlaneActivities}. Disable with
 * {@code CLOUDPLANE_WORKER_ENABLED=false} for an API-only process. A training start
 * ({@link CdsTraining}) builds the worker, so that its classes go into the class-data-sharing
 * archive, but never polls.
 */
@Context
@Requires(property = "cloudplane.worker.enabled", notEquals = "false")
public class TemporalWorker {
    private static final Logger LOG = LoggerFactory.getLogger(TemporalWorker.class);
    private final WorkerFactory factory;

    public TemporalWorker(WorkflowClient client, List<ControlPlaneActivities> activities, WorkerSettings settings) {
        this.factory = WorkerFactory.newInstance(client, WorkerFactoryOptions.newBuilder()
                .setWorkerInterceptors(new LogContextInterceptor()) // activities' log lines name their workflow and operation
                .build());
        Worker worker = factory.newWorker(TaskQueues.CONTROL_PLANE, WorkerOptions.newBuilder()
                .setMaxConcurrentActivityExecutionSize(settings.maxConcurrentActivities())
                .build());
        worker.registerWorkflowImplementationTypes(WorkflowImplementations.ALL.toArray(Class<?>[]::new));
        worker.registerActivitiesImplementations(activities.toArray());
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
