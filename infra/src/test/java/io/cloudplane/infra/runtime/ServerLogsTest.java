package io.cloudplane.infra.runtime;

import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.files.LocalEnvironmentFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What error messages quote of a server's log (rotation, tail and download are in LocalProcessRuntimeLogsTest). */
class ServerLogsTest {
    @TempDir
    Path dataDir;

    private ServerLogs logs;
    private String envId;

    @BeforeEach
    void setUp() {
        LocalEnvironmentFiles files = new LocalEnvironmentFiles(new CloudplaneSettings(dataDir.toString()));
        logs = new ServerLogs(files);
        envId = UUID.randomUUID().toString();
        files.createFolders(envId);
    }

    @Test
    void recentOutputIsTheWholeOfAShortLogWithoutItsBlankEnds() throws IOException {
        assertEquals("", logs.recentOutput(envId), "no log yet");
        Files.writeString(logs.file(envId), "\nstarting\nException: no database\n\n");
        assertEquals("starting\nException: no database", logs.recentOutput(envId));
    }

    @Test
    void recentOutputOfALongLogIsItsLastWholeLinesWithinTwoKibibytes() throws IOException {
        String cut = "password=" + "s3cret".repeat(100) + "\n"; // 610 bytes: its start falls before the last 2 KiB
        String last = ("x".repeat(99) + "\n").repeat(15); // 1500 bytes
        Files.writeString(logs.file(envId), "early line\n".repeat(100) + cut + last);

        String recent = logs.recentOutput(envId);

        assertEquals(last.strip(), recent);
        assertFalse(recent.contains("s3cret"), "half a line (and half a secret in it) is left out, not quoted");
    }

    @Test
    void aLogLargerThanTheMaximumIsRotatedAndASmallOneIsNot() throws IOException {
        logs.setMaxBytes(10);
        Files.writeString(logs.file(envId), "0123456789");
        logs.rotateIfLarge(envId);
        assertEquals(10, Files.size(logs.file(envId)), "at the maximum: stays");
        Files.writeString(logs.file(envId), "0123456789a");
        logs.rotateIfLarge(envId);
        assertEquals(0, Files.size(logs.file(envId)));
        assertEquals(List.of("0123456789a"), logs.tail(envId, 10));
        assertTrue(Files.exists(logs.file(envId).resolveSibling("server.log.1")));
    }
}
