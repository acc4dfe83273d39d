package io.cloudplane.infra.runtime;

import io.cloudplane.infra.files.EnvironmentFiles;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each environment's server is a local OS process on 127.0.0.1, started from its version's
 * command. A pid file under the environment's run folder lets a restarted control plane find and
 * end a server left behind by a crash. A server that exits unasked is reported as a
 * {@link ServerExitedEvent}. When the control plane stops, it stops the servers it started.
 *
 * <p>This class coordinates; the pieces each do one job: {@link LocalServer} (what is known of one
 * environment's server), {@link ServerLauncher} (starting a process), {@link PidFiles} (finding
 * and ending leftovers), {@link LoopbackPorts}, {@link HealthProbe}, {@link ServerLogs} (tail,
 * download and rotation) and {@link ProcSampler} (CPU and memory from /proc).
 */
@Singleton
@Requires(property = "cloudplane.runtime", value = "local", defaultValue = "local")
public class LocalProcessRuntime implements EnvironmentRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(LocalProcessRuntime.class);
    private final ApplicationEventPublisher<ServerExitedEvent> events;
    private final ServerLogs logs;
    private final PidFiles pidFiles;
    private final ServerLauncher launcher;
    private final HealthProbe health = new HealthProbe();
    private final ProcSampler sampler = new ProcSampler();
    private final Map<String, LocalServer> servers = new ConcurrentHashMap<>();
    private volatile boolean shuttingDown;

    public LocalProcessRuntime(EnvironmentFiles files, ApplicationEventPublisher<ServerExitedEvent> events) {
        this.events = events;
        this.logs = new ServerLogs(files);
        this.pidFiles = new PidFiles(files);
        this.launcher = new ServerLauncher(files, logs);
    }

    @Inject
    void setLogSettings(ServerLogSettings settings) {
        logs.setMaxBytes(settings.logMaxMib() * 1024 * 1024);
    }

    void setLogMaxBytes(long bytes) {
        logs.setMaxBytes(bytes);
    }

    @Override
    public ServerEndpoint start(ServerSpec spec) {
        String envId = spec.envId();
        LocalServer server = server(envId);
        synchronized (server) {
            ServerProcess current = server.current();
            if (current != null && current.isAlive()) {
                return current.endpoint();
            }
            refuseOnceShuttingDown(envId);
            pidFiles.endLeftover(envId, pidFiles.server(envId));
            server.stopping(false);
            server.exitCode(null);
            ServerProcess started = launcher.launch(spec, LoopbackPorts.choose(spec.preferredPort()), pidFiles.server(envId));
            server.serve(started);
            watch(envId, server, started);
            return started.endpoint();
        }
    }

    /**
     * A second server of the environment, of the update's version, on a new port: the current one
     * goes on serving until {@link #finishUpdate} (or goes on for good after {@link #abandonUpdate}).
     */
    @Override
    public ServerEndpoint startUpdate(ServerSpec next) {
        String envId = next.envId();
        LocalServer server = server(envId);
        synchronized (server) {
            ServerProcess candidate = server.update();
            if (candidate != null && candidate.isAlive() && candidate.version().equals(next.version().version())) {
                return candidate.endpoint();
            }
            if (candidate != null) {
                server.forgetUpdate(candidate);
                candidate.retire();
            }
            refuseOnceShuttingDown(envId);
            server.updateExitCode(null);
            pidFiles.endLeftover(envId, pidFiles.update(envId));
            ServerProcess started = launcher.launch(next, LoopbackPorts.choose(null), pidFiles.update(envId));
            server.startUpdate(started);
            watch(envId, server, started);
            return started.endpoint();
        }
    }

    @Override
    public HealthReport checkUpdateHealth(String envId) {
        LocalServer server = servers.get(envId);
        ServerProcess candidate = server == null ? null : server.update();
        if (candidate == null) {
            Integer code = server == null ? null : server.updateExitCode();
            return new HealthReport(false, false, code == null ? "the updated server is not running"
                    : "the updated server exited with code " + code);
        }
        return health.check(candidate);
    }

    /** The updated server becomes the environment's server (its port, the preview URL's), and the previous one stops. */
    @Override
    public ServerEndpoint finishUpdate(String envId, String version) {
        LocalServer server = server(envId);
        synchronized (server) {
            ServerProcess candidate = server.update();
            if (candidate != null && !candidate.isAlive()) {
                server.updateExitCode(candidate.exitValue());
                server.forgetUpdate(candidate);
                candidate = null;
            }
            server.takeUpdate();
            if (candidate == null) {
                ServerProcess current = server.current();
                if (current != null && current.isAlive() && current.version().equals(version)) {
                    return current.endpoint(); // finished already
                }
                Integer code = server.updateExitCode();
                throw new IllegalStateException("the server of version " + version + " is gone"
                        + (code == null ? "" : ": it exited with code " + code) + "; the update cannot switch to it");
            }
            ServerProcess previous = server.serve(candidate);
            if (previous == null) {
                // A server this process did not start (one left by a control plane that died mid-update) ends here.
                pidFiles.endLeftover(envId, pidFiles.server(envId));
            }
            pidFiles.promoteUpdate(envId, candidate.pid());
            if (previous != null && previous != candidate) {
                previous.retire();
            }
            LOG.info("Environment {} now served by pid {} on port {}", envId, candidate.pid(), candidate.port());
            return candidate.endpoint();
        }
    }

    /** Ends the updated server, if any; the previous one serves on (and is started again if it is gone). */
    @Override
    public ServerEndpoint abandonUpdate(ServerSpec previous) {
        String envId = previous.envId();
        LocalServer server = server(envId);
        synchronized (server) {
            ServerProcess candidate = server.takeUpdate();
            if (candidate != null) {
                candidate.retire();
            }
            server.updateExitCode(null);
            pidFiles.endLeftover(envId, pidFiles.update(envId));
            ServerProcess current = server.current();
            if (current != null && !current.version().equals(previous.version().version())) {
                // The update had already taken over: the previous version comes back in its place.
                server.forgetCurrent(current);
                current.retire();
            }
        }
        return start(previous);
    }

    @Override
    public void stop(String envId) {
        LocalServer server = server(envId);
        synchronized (server) {
            server.stopping(true);
            server.exitCode(null);
            ServerProcess running = server.takeCurrent();
            if (running != null) {
                running.terminate();
            }
            ServerProcess candidate = server.takeUpdate();
            if (candidate != null) {
                candidate.retire();
            }
            server.updateExitCode(null);
            pidFiles.endLeftovers(envId);
        }
    }

    @Override
    public boolean isRunning(String envId) {
        ServerProcess running = current(envId);
        return running != null && running.isAlive();
    }

    @Override
    public HealthReport checkHealth(String envId) {
        LocalServer server = servers.get(envId);
        ServerProcess running = server == null ? null : server.current();
        if (running == null || !running.isAlive()) {
            Integer code = running != null ? Integer.valueOf(running.exitValue()) : server == null ? null : server.exitCode();
            return new HealthReport(false, false, code == null ? "the server is not running" : "the server exited with code " + code);
        }
        return health.check(running);
    }

    @Override
    public String recentOutput(String envId) {
        return logs.recentOutput(envId);
    }

    @Override
    public List<String> tailLog(String envId, int lines) {
        return logs.tail(envId, lines);
    }

    @Override
    public InputStream openLog(String envId) {
        return logs.open(envId);
    }

    /**
     * Keeps each running server's log under {@code cloudplane.runtime.log-max-mib} (default 10); see
     * {@link ServerLogs#rotateIfLarge}. A server's log is also rotated when it starts.
     */
    @Scheduled(fixedDelay = "${cloudplane.runtime.log-rotate-interval:30s}")
    public void rotateLogs() {
        servers.forEach((envId, server) -> {
            if (server.current() == null) {
                return;
            }
            try {
                rotateIfLarge(envId);
            } catch (IOException | RuntimeException e) {
                LOG.warn("Could not rotate the log of environment {}: {}", envId, e.getMessage());
            }
        });
    }

    void rotateIfLarge(String envId) throws IOException {
        logs.rotateIfLarge(envId);
    }

    /** See {@link ProcSampler}: CPU from the change since the last reading of the same process, memory, no network figures. */
    @Override
    public Map<String, ServerSample> sample(Collection<String> envIds) {
        Map<String, ServerSample> result = new HashMap<>();
        for (String envId : envIds) {
            ServerProcess running = current(envId);
            if (running == null || !running.isAlive()) {
                continue;
            }
            try {
                result.put(envId, sampler.sample(running.pid(), running.cpuBaseline()));
            } catch (IOException | RuntimeException e) {
                // the process ended meanwhile, or /proc is not there: no reading this time
            }
        }
        return result;
    }

    /**
     * Stops every server this process started: servers do not outlive their control plane. From
     * here on every start is refused ({@link ShuttingDownException}). A start launches only while
     * it holds its server's lock and has seen {@code shuttingDown} false, so each server is looked
     * at under that lock: a start that was under way has recorded its process by then, and is stopped.
     */
    @PreDestroy
    public void stopAll() {
        shuttingDown = true;
        servers.forEach((envId, server) -> {
            synchronized (server) {
                if (server.hasProcess()) {
                    stop(envId);
                }
            }
        });
    }

    /** Called with the server's lock held, just before a process would be launched. */
    private void refuseOnceShuttingDown(String envId) {
        if (shuttingDown) {
            throw new ShuttingDownException(envId);
        }
    }

    public Optional<Long> pid(String envId) {
        return Optional.ofNullable(current(envId)).map(ServerProcess::pid);
    }

    /** Registered once the process is recorded, so that an instant exit is told apart correctly. */
    private void watch(String envId, LocalServer server, ServerProcess process) {
        process.onExit(() -> ended(envId, server, process));
    }

    /** Every server process's end: a retired one is forgotten, an update's is recorded for its health check. */
    private void ended(String envId, LocalServer server, ServerProcess process) {
        if (process.retired()) {
            return;
        }
        if (server.update() == process) {
            // the code first: a health check that finds no update then finds why
            server.updateExitCode(process.exitValue());
            server.forgetUpdate(process);
            LOG.warn("The updated server of environment {} exited with code {}", envId, process.exitValue());
            return;
        }
        ServerProcess current = server.current();
        if (current == process) {
            server.forgetCurrent(process);
        } else if (current != null) {
            return; // an older process of a server that was started again
        }
        if (shuttingDown || server.stopping()) {
            return;
        }
        server.exitCode(process.exitValue());
        LOG.warn("The server of environment {} exited with code {}", envId, process.exitValue());
        events.publishEvent(new ServerExitedEvent(envId, process.exitValue(), logs.recentOutput(envId)));
    }

    private ServerProcess current(String envId) {
        LocalServer server = servers.get(envId);
        return server == null ? null : server.current();
    }

    private LocalServer server(String envId) {
        return servers.computeIfAbsent(envId, k -> new LocalServer());
    }
}
