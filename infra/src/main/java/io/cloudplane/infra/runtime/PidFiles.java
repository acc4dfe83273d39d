package io.cloudplane.infra.runtime;

import io.cloudplane.infra.files.EnvironmentFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The pid files in an environment's run folder: {@code server.pid} for its server, and
 * {@code server-update.pid} for the one an update runs beside it. By them a restarted control plane
 * finds a server that a crash left behind, and ends it.
 */
final class PidFiles {
    private static final Logger LOG = LoggerFactory.getLogger(PidFiles.class);
    private final EnvironmentFiles files;

    PidFiles(EnvironmentFiles files) {
        this.files = files;
    }

    Path server(String envId) {
        return files.runDir(envId).resolve("server.pid");
    }

    Path update(String envId) {
        return files.runDir(envId).resolve("server-update.pid");
    }

    /** The update's server, {@code pid}, is now the environment's server: its pid moves to {@code server.pid}. */
    void promoteUpdate(String envId, long pid) {
        try {
            Files.writeString(server(envId), Long.toString(pid));
            Files.deleteIfExists(update(envId));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not record the updated server of environment " + envId, e);
        }
    }

    /** Ends the servers both pid files name, if they are still the environment's. */
    void endLeftovers(String envId) {
        endLeftover(envId, server(envId));
        endLeftover(envId, update(envId));
    }

    /**
     * Ends the process {@code pidFile} names if its command line carries the environment's marker
     * (a pid may have been reused since by another program), and removes the file.
     */
    void endLeftover(String envId, Path pidFile) {
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            ProcessHandle.of(pid)
                    .filter(h -> h.info().commandLine().map(c -> c.contains(ServerLauncher.MARKER + envId)).orElse(false))
                    .ifPresent(h -> {
                        LOG.info("Ending a leftover server of environment {} (pid {})", envId, pid);
                        ServerProcess.terminate(h);
                    });
            Files.deleteIfExists(pidFile);
        } catch (IOException | NumberFormatException e) {
            LOG.warn("Could not read the pid file {}", pidFile, e);
        }
    }
}
