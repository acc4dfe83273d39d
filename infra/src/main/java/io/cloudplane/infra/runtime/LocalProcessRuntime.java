package io.cloudplane.infra.runtime;

import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.runtime.builtin.BuiltinAppServer;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.ApplicationEventPublisher;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Each environment's server is a local OS process on 127.0.0.1, started from its version's
 * command. A pid file under the environment's run folder lets a restarted control plane find and
 * end a server left behind by a crash. A server that exits unasked is reported as a
 * {@link ServerExitedEvent}. When the control plane stops, it stops the servers it started.
 */
@Singleton
@Requires(property = "cloudplane.runtime", value = "local", defaultValue = "local")
public class LocalProcessRuntime implements EnvironmentRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(LocalProcessRuntime.class);
    private static final String MARKER = "-Dcloudplane.env=";
    private final EnvironmentFiles files;
    private final ApplicationEventPublisher<ServerExitedEvent> events;
    private final Map<String, Running> servers = new ConcurrentHashMap<>();
    private final Set<String> stopping = ConcurrentHashMap.newKeySet();
    /** How each server that died unasked ended, until it is started or stopped again. */
    private final Map<String, Integer> exitCodes = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    /** The second server of an environment while an update checks it. */
    private final Map<String, Running> updates = new ConcurrentHashMap<>();
    private final Map<String, Integer> updateExitCodes = new ConcurrentHashMap<>();
    private final Set<Process> retired = ConcurrentHashMap.newKeySet();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private volatile boolean shuttingDown;

    private record Running(Process process, int port, String version) {
    }

    private long logMaxBytes = 10L * 1024 * 1024;

    @jakarta.inject.Inject
    void setLogMaxMib(@io.micronaut.context.annotation.Value("${cloudplane.runtime.log-max-mib:10}") long mib) {
        this.logMaxBytes = mib * 1024 * 1024;
    }

    void setLogMaxBytes(long bytes) {
        this.logMaxBytes = bytes;
    }

    public LocalProcessRuntime(EnvironmentFiles files, ApplicationEventPublisher<ServerExitedEvent> events) {
        this.files = files;
        this.events = events;
    }

    @Override
    public ServerEndpoint start(ServerSpec spec) {
        String envId = spec.envId();
        synchronized (lock(envId)) {
            Running current = servers.get(envId);
            if (current != null && current.process().isAlive()) {
                return endpoint(current.port());
            }
            killLeftover(envId, pidFile(envId));
            stopping.remove(envId);
            exitCodes.remove(envId);
            int port = choosePort(spec.preferredPort());
            Running running = launch(spec, port, pidFile(envId));
            servers.put(envId, running);
            watch(envId, running);
            return endpoint(port);
        }
    }

    /** Starts one server process of {@code spec} on {@code port}, writing its pid to {@code pidFile}. */
    private Running launch(ServerSpec spec, int port, Path pidFile) {
        String envId = spec.envId();
        List<String> command = command(spec, port);
        Path runDir = files.runDir(envId);
        try {
            Files.createDirectories(runDir);
            rotateIfLarge(envId);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(runDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(envId).toFile()));
            Map<String, String> env = builder.environment();
            env.put("PORT", Integer.toString(port));
            env.put("CODE_DIR", files.codeDir(envId).toString());
            env.put("RESOURCES_DIR", files.resourcesDir(envId).toString());
            env.put("DATABASE_URL", spec.databaseUrl());
            env.put("DATABASE_USERNAME", spec.databaseUser());
            env.put("DATABASE_PASSWORD", spec.databasePassword());
            env.put("CLOUDPLANE_ENV_ID", envId);
            env.put("CLOUDPLANE_SERVER_VERSION", spec.version().version());
            Process process = builder.start();
            Files.writeString(pidFile, Long.toString(process.pid()));
            LOG.info("Started server {} for environment {} on port {} (pid {})", spec.version().version(), envId, port, process.pid());
            return new Running(process, port, spec.version().version());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the server of environment " + envId + ": " + e.getMessage(), e);
        }
    }

    /**
     * A second server of the environment, of the update's version, on a new port: the current one
     * goes on serving until {@link #finishUpdate} (or goes on for good after {@link #abandonUpdate}).
     */
    @Override
    public ServerEndpoint startUpdate(ServerSpec next) {
        String envId = next.envId();
        synchronized (lock(envId)) {
            Running candidate = updates.get(envId);
            if (candidate != null && candidate.process().isAlive() && candidate.version().equals(next.version().version())) {
                return endpoint(candidate.port());
            }
            if (candidate != null) {
                updates.remove(envId, candidate);
                retire(candidate.process());
            }
            updateExitCodes.remove(envId);
            killLeftover(envId, updatePidFile(envId));
            Running running = launch(next, choosePort(null), updatePidFile(envId));
            updates.put(envId, running);
            watch(envId, running);
            return endpoint(running.port());
        }
    }

    @Override
    public HealthReport checkUpdateHealth(String envId) {
        Running candidate = updates.get(envId);
        if (candidate == null) {
            Integer code = updateExitCodes.get(envId);
            return new HealthReport(false, false, code == null ? "the updated server is not running"
                    : "the updated server exited with code " + code);
        }
        return probe(candidate);
    }

    /** The updated server becomes the environment's server (its port, the preview URL's), and the previous one stops. */
    @Override
    public ServerEndpoint finishUpdate(String envId, String version) {
        synchronized (lock(envId)) {
            Running candidate = updates.get(envId);
            if (candidate != null && !candidate.process().isAlive()) {
                updates.remove(envId, candidate);
                updateExitCodes.put(envId, candidate.process().exitValue());
                candidate = null;
            }
            updates.remove(envId);
            if (candidate == null) {
                Running current = servers.get(envId);
                if (current != null && current.process().isAlive() && current.version().equals(version)) {
                    return endpoint(current.port()); // finished already
                }
                Integer code = updateExitCodes.get(envId);
                throw new IllegalStateException("the server of version " + version + " is gone"
                        + (code == null ? "" : ": it exited with code " + code) + "; the update cannot switch to it");
            }
            Running previous = servers.put(envId, candidate);
            if (previous == null) {
                // A server this process did not start (one left by a control plane that died mid-update) ends here.
                killLeftover(envId, pidFile(envId));
            }
            try {
                Files.writeString(pidFile(envId), Long.toString(candidate.process().pid()));
                Files.deleteIfExists(updatePidFile(envId));
            } catch (IOException e) {
                throw new UncheckedIOException("Could not record the updated server of environment " + envId, e);
            }
            lastCpu.remove(envId);
            if (previous != null && previous.process() != candidate.process()) {
                retire(previous.process());
            }
            LOG.info("Environment {} now served by pid {} on port {}", envId, candidate.process().pid(), candidate.port());
            return endpoint(candidate.port());
        }
    }

    /** Ends the updated server, if any; the previous one serves on (and is started again if it is gone). */
    @Override
    public ServerEndpoint abandonUpdate(ServerSpec previous) {
        String envId = previous.envId();
        synchronized (lock(envId)) {
            Running candidate = updates.remove(envId);
            if (candidate != null) {
                retire(candidate.process());
            }
            updateExitCodes.remove(envId);
            killLeftover(envId, updatePidFile(envId));
            Running current = servers.get(envId);
            if (current != null && !current.version().equals(previous.version().version())) {
                // The update had already taken over: the previous version comes back in its place.
                servers.remove(envId, current);
                retire(current.process());
            }
        }
        return start(previous);
    }

    @Override
    public void stop(String envId) {
        synchronized (lock(envId)) {
            stopping.add(envId);
            exitCodes.remove(envId);
            Running running = servers.remove(envId);
            if (running != null) {
                terminate(running.process().toHandle());
            }
            Running candidate = updates.remove(envId);
            if (candidate != null) {
                retire(candidate.process());
            }
            updateExitCodes.remove(envId);
            killLeftover(envId);
        }
    }

    @Override
    public boolean isRunning(String envId) {
        Running running = servers.get(envId);
        return running != null && running.process().isAlive();
    }

    @Override
    public HealthReport checkHealth(String envId) {
        Running running = servers.get(envId);
        if (running == null || !running.process().isAlive()) {
            Integer code = running != null ? Integer.valueOf(running.process().exitValue()) : exitCodes.get(envId);
            return new HealthReport(false, false, code == null ? "the server is not running" : "the server exited with code " + code);
        }
        return probe(running);
    }

    private HealthReport probe(Running running) {
        if (!running.process().isAlive()) {
            return new HealthReport(false, false, "the server exited with code " + running.process().exitValue());
        }
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.port() + "/_health"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return new HealthReport(response.statusCode() == 200, true, response.body());
        } catch (IOException e) {
            return new HealthReport(false, true, "no answer on port " + running.port() + " yet");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new HealthReport(false, true, "interrupted");
        }
    }

    @Override
    public String recentOutput(String envId) {
        Path log = logFile(envId);
        if (!Files.exists(log)) {
            return "";
        }
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long length = file.length();
            long from = Math.max(0, length - 2048);
            byte[] tail = new byte[(int) (length - from)];
            file.seek(from);
            file.readFully(tail);
            String text = new String(tail, StandardCharsets.UTF_8);
            if (from > 0) {
                // The first line is cut: half a secret in it would escape redaction, which matches whole values.
                int newline = text.indexOf('\n');
                text = newline < 0 ? "" : text.substring(newline + 1);
            }
            return text.strip();
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public List<String> tailLog(String envId, int lines) {
        java.util.ArrayDeque<String> last = new java.util.ArrayDeque<>(lines + 1);
        try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(openLog(envId), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                last.addLast(line);
                if (last.size() > lines) {
                    last.removeFirst();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(last);
    }

    @Override
    public java.io.InputStream openLog(String envId) {
        List<java.io.InputStream> parts = new ArrayList<>();
        try {
            for (Path part : List.of(rotatedLogFile(envId), logFile(envId))) {
                if (Files.exists(part)) {
                    parts.add(Files.newInputStream(part));
                }
            }
        } catch (IOException e) {
            parts.forEach(p -> {
                try {
                    p.close();
                } catch (IOException ignored) {
                    // closing what was opened
                }
            });
            throw new UncheckedIOException(e);
        }
        return new java.io.SequenceInputStream(java.util.Collections.enumeration(parts));
    }

    /**
     * Keeps each server's log under {@code cloudplane.runtime.log-max-mib} (default 10): a larger
     * one is copied to {@code server.log.1} (replacing the older copy) and truncated. The server
     * writes in append mode, so it goes on at the new end (logrotate's copytruncate).
     */
    @io.micronaut.scheduling.annotation.Scheduled(fixedDelay = "${cloudplane.runtime.log-rotate-interval:30s}")
    public void rotateLogs() {
        for (String envId : new ArrayList<>(servers.keySet())) {
            try {
                rotateIfLarge(envId);
            } catch (IOException | RuntimeException e) {
                LOG.warn("Could not rotate the log of environment {}: {}", envId, e.getMessage());
            }
        }
    }

    void rotateIfLarge(String envId) throws IOException {
        Path log = logFile(envId);
        if (Files.exists(log) && Files.size(log) > logMaxBytes) {
            Files.copy(log, rotatedLogFile(envId), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            try (var channel = java.nio.channels.FileChannel.open(log, java.nio.file.StandardOpenOption.WRITE)) {
                channel.truncate(0);
            }
        }
    }

    private final Map<String, long[]> lastCpu = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Per-process figures from /proc: CPU from the change of the process's user and system time
     * (in clock ticks of 1/100 s) since the last reading, resident memory from VmRSS. A process has
     * no network figures of its own here: null.
     */
    @Override
    public Map<String, ServerSample> sample(java.util.Collection<String> envIds) {
        Map<String, ServerSample> result = new java.util.HashMap<>();
        for (String envId : envIds) {
            Running running = servers.get(envId);
            if (running == null || !running.process().isAlive()) {
                lastCpu.remove(envId);
                continue;
            }
            long pid = running.process().pid();
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
                long now = System.nanoTime();
                long[] before = lastCpu.put(envId, new long[] {ticks, now, pid});
                // A baseline of another process (the server restarted since) says nothing of this one.
                Double cpu = before == null || before[2] != pid || now <= before[1] ? null
                        : (ticks - before[0]) * 1e9 / (now - before[1]); // (ticks / 100 s) / (ns / 1e9 s) * 100 %
                Long memory = null;
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        memory = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
                result.put(envId, new ServerSample(cpu, memory, null, null));
            } catch (IOException | RuntimeException e) {
                // the process ended meanwhile, or /proc is not there: no reading this time
            }
        }
        return result;
    }

    /** Stops every server this process started: servers do not outlive their control plane. */
    @PreDestroy
    public void stopAll() {
        shuttingDown = true;
        Set<String> envIds = new java.util.HashSet<>(servers.keySet());
        envIds.addAll(updates.keySet());
        for (String envId : envIds) {
            stop(envId);
        }
    }

    public Optional<Long> pid(String envId) {
        Running running = servers.get(envId);
        return running == null ? Optional.empty() : Optional.of(running.process().pid());
    }

    /** Every server process's end: a retired one is forgotten, an update's is recorded for its health check. */
    private void ended(String envId, Process process) {
        if (retired.remove(process)) {
            return;
        }
        Running candidate = updates.get(envId);
        if (candidate != null && candidate.process() == process) {
            updates.remove(envId, candidate);
            updateExitCodes.put(envId, process.exitValue());
            LOG.warn("The updated server of environment {} exited with code {}", envId, process.exitValue());
            return;
        }
        exited(envId, process);
    }

    /** Registered once the process is in its map, so that an instant exit is told apart correctly. */
    private void watch(String envId, Running running) {
        running.process().onExit().thenAccept(p -> ended(envId, p));
    }

    /** Ends a process this runtime no longer counts as a server of its environment. */
    private void retire(Process process) {
        retired.add(process);
        terminate(process.toHandle());
    }

    private void exited(String envId, Process process) {
        Running current = servers.get(envId);
        if (current != null && current.process() == process) {
            servers.remove(envId, current);
        } else if (current != null) {
            return; // an older process of a server that was started again
        }
        if (shuttingDown || stopping.contains(envId)) {
            return;
        }
        exitCodes.put(envId, process.exitValue());
        LOG.warn("The server of environment {} exited with code {}", envId, process.exitValue());
        events.publishEvent(new ServerExitedEvent(envId, process.exitValue(), recentOutput(envId)));
    }

    private List<String> command(ServerSpec spec, int port) {
        String template = spec.version().command();
        if (template == null || template.isBlank()) {
            throw new IllegalArgumentException("Server version " + spec.version().version() + " has no local command");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>();
        for (String part : template.trim().split("\\s+")) {
            command.add(part.replace("{java}", java).replace("{builtin-classpath}", builtinClasspath())
                    .replace("{port}", Integer.toString(port)));
        }
        if (command.get(0).equals(java)) {
            // Lets a restarted control plane recognise its own leftover servers.
            command.add(1, MARKER + spec.envId());
        }
        return command;
    }

    /** The built-in server needs only its own classes, the PostgreSQL driver and jackson-core (for app.json). */
    static String builtinClasspath() {
        return location(BuiltinAppServer.class) + File.pathSeparator + location(org.postgresql.Driver.class)
                + File.pathSeparator + location(com.fasterxml.jackson.core.JsonFactory.class);
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot locate the classes of " + type.getName(), e);
        }
    }

    private void killLeftover(String envId) {
        killLeftover(envId, pidFile(envId));
        killLeftover(envId, updatePidFile(envId));
    }

    private void killLeftover(String envId, Path pidFile) {
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            ProcessHandle.of(pid)
                    .filter(h -> h.info().commandLine().map(c -> c.contains(MARKER + envId)).orElse(false))
                    .ifPresent(h -> {
                        LOG.info("Ending a leftover server of environment {} (pid {})", envId, pid);
                        terminate(h);
                    });
            Files.deleteIfExists(pidFile);
        } catch (IOException | NumberFormatException e) {
            LOG.warn("Could not read the pid file {}", pidFile, e);
        }
    }

    private static void terminate(ProcessHandle handle) {
        handle.destroy();
        try {
            handle.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            handle.destroyForcibly();
            try {
                handle.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                LOG.warn("Process {} did not end", handle.pid());
            }
        }
    }

    private static int choosePort(Integer preferred) {
        if (preferred != null && preferred > 0 && isFree(preferred)) {
            return preferred;
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on 127.0.0.1", e);
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static ServerEndpoint endpoint(int port) {
        return new ServerEndpoint(port, "http://127.0.0.1:" + port + "/");
    }

    private Path pidFile(String envId) {
        return files.runDir(envId).resolve("server.pid");
    }

    private Path updatePidFile(String envId) {
        return files.runDir(envId).resolve("server-update.pid");
    }

    private Path rotatedLogFile(String envId) {
        return files.runDir(envId).resolve("server.log.1");
    }

    private Path logFile(String envId) {
        return files.runDir(envId).resolve("server.log");
    }

    private Object lock(String envId) {
        return locks.computeIfAbsent(envId, k -> new Object());
    }
}
