package io.cloudplane.infra.runtime;

import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.files.LocalEnvironmentFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a restarted control plane ends the servers a crash left behind, with real processes. */
class PidFilesTest {
    @TempDir
    Path dataDir;

    private final List<Process> started = new ArrayList<>();
    private PidFiles pidFiles;
    private String envId;

    @BeforeEach
    void setUp() {
        LocalEnvironmentFiles files = new LocalEnvironmentFiles(new CloudplaneSettings(dataDir.toString()));
        pidFiles = new PidFiles(files);
        envId = UUID.randomUUID().toString();
        files.createFolders(envId);
    }

    @AfterEach
    void endProcesses() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void aLeftoverServerOfTheEnvironmentIsEndedAndItsPidFileRemoved() throws IOException {
        Process leftover = waitingShell(ServerLauncher.MARKER + envId);
        Files.writeString(pidFiles.server(envId), Long.toString(leftover.pid()));

        pidFiles.endLeftover(envId, pidFiles.server(envId));

        assertFalse(leftover.isAlive());
        assertFalse(Files.exists(pidFiles.server(envId)));
    }

    @Test
    void aProcessThatReusedThePidIsLeftAlone() throws IOException {
        Process stranger = waitingShell("-Dcloudplane.env=" + UUID.randomUUID());
        Files.writeString(pidFiles.update(envId), Long.toString(stranger.pid()));

        pidFiles.endLeftovers(envId);

        assertTrue(stranger.isAlive(), "another environment's server, or another program");
        assertFalse(Files.exists(pidFiles.update(envId)), "the stale file goes");
    }

    @Test
    void promotingTheUpdateMovesItsPidToTheServersFile() throws IOException {
        Files.writeString(pidFiles.server(envId), "1");
        Files.writeString(pidFiles.update(envId), "42");

        pidFiles.promoteUpdate(envId, 42);

        assertEquals("42", Files.readString(pidFiles.server(envId)));
        assertFalse(Files.exists(pidFiles.update(envId)));
    }

    /** A shell that waits on its standard input, with {@code marker} on its command line (as its $0). */
    private Process waitingShell(String marker) throws IOException {
        Process process = new ProcessBuilder("sh", "-c", "read line", marker).start();
        started.add(process);
        return process;
    }
}
