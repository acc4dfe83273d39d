package io.cloudplane.worker;

import io.cloudplane.activities.server.EnvironmentServers;
import io.cloudplane.infra.config.CdsTraining;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.infra.runtime.EnvironmentRuntime;
import io.cloudplane.infra.runtime.ServerExitedEvent;
import io.cloudplane.infra.runtime.ShuttingDownException;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.context.BeanContext;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.Async;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.UUID;

/**
 * Keeps environment status true to the servers: a server that dies marks its environment FAILED
 * with the reason, and at start-up the servers of RUNNING environments are started again (the
 * local runtime's servers do not outlive the control plane).
 */
@Singleton
@Requires(property = "cloudplane.worker.enabled", notEquals = "false")
@Requires(notEnv = CdsTraining.ENVIRONMENT) // a training start does nothing but start
public class ServerSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(ServerSupervisor.class);
    private final EnvironmentRepository environments;
    private final EnvironmentServers servers;
    private final EnvironmentRuntime runtime;
    private final BeanContext context;
    private final OperationRepository operations;
    /** Set when the context stops: the servers not started by then stay down, and none is marked FAILED for it. */
    private volatile boolean stopping;

    public ServerSupervisor(EnvironmentRepository environments, EnvironmentServers servers, EnvironmentRuntime runtime,
                            BeanContext context, OperationRepository operations) {
        this.context = context;
        this.operations = operations;
        this.environments = environments;
        this.servers = servers;
        this.runtime = runtime;
    }

    @EventListener
    void onServerExit(ServerExitedEvent event) {
        String reason = "the server exited with code " + event.exitCode();
        if (environments.markFailedIfRunning(UUID.fromString(event.envId()), reason, Instant.now()) > 0) {
            LOG.warn("Environment {} is FAILED: {}", event.envId(), reason);
        }
    }

    /**
     * Once the HTTP server answers (so that dozens of server processes starting at once do not slow
     * the control plane's own start on a small machine), the servers of RUNNING environments start
     * again, in the background.
     */
    @EventListener
    @Async(TaskExecutors.BLOCKING)
    void restartServersOnceServing(ServerStartupEvent event) {
        restartServers();
    }

    /** A process without an HTTP server has no ServerStartupEvent: its servers start with the context. */
    @EventListener
    @Async(TaskExecutors.BLOCKING)
    void restartServersOnStartup(StartupEvent event) {
        if (!context.containsBean(EmbeddedServer.class)) {
            restartServers();
        }
    }

    private synchronized void restartServers() {
        for (EnvironmentRecord env : environments.findByStatus(EnvironmentStatus.RUNNING)) {
            if (stopping) {
                LOG.info("Stopping: the servers of RUNNING environments not started yet stay down");
                return;
            }
            if (runtime.isRunning(env.id().toString())) {
                continue;
            }
            // An operation left unfinished by a crash owns its environment's server: the reconciler runs it
            // again, and it stops, deletes or starts the server itself. Starting one here raced it and left a
            // server behind a deletion, or two servers for one environment.
            if (operations.findActiveForEnvironment(env.id()).isPresent() || operations.findActiveForApp(env.appId()).isPresent()) {
                LOG.info("Not starting the server of environment {} at boot: an unfinished operation holds it", env.id());
                continue;
            }
            try {
                servers.start(env);
                LOG.info("Started the server of RUNNING environment {} again", env.id());
            } catch (ShuttingDownException e) {
                LOG.info("Stopping: the servers of RUNNING environments not started yet stay down");
                return;
            } catch (RuntimeException e) {
                if (stopping) {
                    // the database or the runtime went away with the context: not the environment's fault
                    return;
                }
                environments.updateStatus(env.id(), EnvironmentStatus.FAILED, "could not start at boot: " + e.getMessage(), Instant.now());
                LOG.warn("Could not start the server of environment {} at boot", env.id(), e);
            }
        }
    }

    /** The context is stopping (the runtime stops its servers and refuses new ones): the boot-time starts end here. */
    @PreDestroy
    void stop() {
        stopping = true;
    }
}
