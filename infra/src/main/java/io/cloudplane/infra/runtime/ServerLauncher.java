package io.cloudplane.infra.runtime;

import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.runtime.builtin.BuiltinAppServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts an environment's server process from its version's command, in the environment's run
 * folder, with its output appended to the environment's log, its settings in its environment
 * variables (and of the control plane's own, only {@link #INHERITED}), and its pid in a pid file.
 */
final class ServerLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(ServerLauncher.class);
    /** Added to a Java server's command line, so that a restarted control plane recognises its own leftover servers. */
    static final String MARKER = "-Dcloudplane.env=";
    /** The only variables of the control plane's environment that a server inherits. */
    static final java.util.Set<String> INHERITED = java.util.Set.of("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR");
    private final EnvironmentFiles files;
    private final ServerLogs logs;

    ServerLauncher(EnvironmentFiles files, ServerLogs logs) {
        this.files = files;
        this.logs = logs;
    }

    /** Starts one server process of {@code spec} on {@code port}, writing its pid to {@code pidFile}. */
    ServerProcess launch(ServerSpec spec, int port, Path pidFile) {
        String envId = spec.envId();
        List<String> command = command(spec, port);
        Path runDir = files.runDir(envId);
        try {
            Files.createDirectories(runDir);
            logs.rotateIfLarge(envId);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(runDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.file(envId).toFile()));
            Map<String, String> env = builder.environment();
            // Only what a program needs to run, never the control plane's own settings: the parent's
            // variables may hold DATASOURCES_DEFAULT_PASSWORD, CLOUDPLANE_SECRET_KEY, TEMPORAL_API_KEY or
            // cloud credentials, which a tenant's server must not read.
            env.keySet().retainAll(INHERITED);
            env.put("PORT", Integer.toString(port));
            env.put("CODE_DIR", files.codeDir(envId).toString());
            env.put("RESOURCES_DIR", files.resourcesDir(envId).toString());
            env.put("DATABASE_URL", spec.databaseUrl());
            env.put("DATABASE_USERNAME", spec.databaseUser());
            env.put("DATABASE_PASSWORD", spec.databasePassword());
            env.put("CLOUDPLANE_ENV_ID", envId);
            env.put("CLOUDPLANE_SERVER_VERSION", spec.version().version());
            if (spec.gatewayKey() != null) {
                env.put(io.cloudplane.infra.gateway.GatewayKeys.VARIABLE, spec.gatewayKey());
            }
            Process process = builder.start();
            Files.writeString(pidFile, Long.toString(process.pid()));
            LOG.info("Started server {} for environment {} on port {} (pid {})", spec.version().version(), envId, port, process.pid());
            return new ServerProcess(process, port, spec.version().version());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the server of environment " + envId + ": " + e.getMessage(), e);
        }
    }

    /**
     * The version's command template with {@code {java}} (this JVM's), {@code {builtin-classpath}}
     * and {@code {port}} filled in, and the marker after a Java command.
     */
    static List<String> command(ServerSpec spec, int port) {
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
}
