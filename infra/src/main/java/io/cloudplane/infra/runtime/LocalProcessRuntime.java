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
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private volatile boolean shuttingDown;

    private record Running(Process process, int port) {
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
            killLeftover(envId);
            int port = choosePort(spec.preferredPort());
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
                stopping.remove(envId);
                exitCodes.remove(envId);
                Process process = builder.start();
                Files.writeString(pidFile(envId), Long.toString(process.pid()));
                servers.put(envId, new Running(process, port));
                process.onExit().thenAccept(p -> exited(envId, p));
                LOG.info("Started server {} for environment {} on port {} (pid {})", spec.version().version(), envId, port, process.pid());
                return endpoint(port);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not start the server of environment " + envId + ": " + e.getMessage(), e);
            }
        }
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
            return new String(tail, StandardCharsets.UTF_8).strip();
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
                long[] before = lastCpu.put(envId, new long[] {ticks, now});
                Double cpu = before == null || now <= before[1] ? null
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
        for (String envId : new ArrayList<>(servers.keySet())) {
            stop(envId);
        }
    }

    public Optional<Long> pid(String envId) {
        Running running = servers.get(envId);
        return running == null ? Optional.empty() : Optional.of(running.process().pid());
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
        Path pidFile = pidFile(envId);
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
