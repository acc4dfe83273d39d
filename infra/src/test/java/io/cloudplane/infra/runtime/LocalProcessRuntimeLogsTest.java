package io.cloudplane.infra.runtime;

import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.files.LocalEnvironmentFiles;
import io.micronaut.context.event.ApplicationEventPublisher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalProcessRuntimeLogsTest {
    @TempDir
    Path dataDir;

    @Test
    void aLargeLogIsRotatedByCopyAndTruncateAndReadAcrossBothFiles() throws Exception {
        LocalEnvironmentFiles files = new LocalEnvironmentFiles(new CloudplaneSettings(dataDir.toString()));
        LocalProcessRuntime runtime = new LocalProcessRuntime(files, ApplicationEventPublisher.noOp());
        runtime.setLogMaxBytes(50);
        String env = UUID.randomUUID().toString();
        files.createFolders(env);
        Path log = files.runDir(env).resolve("server.log");
        StringBuilder first = new StringBuilder();
        for (int i = 1; i <= 10; i++) {
            first.append("line ").append(i).append('\n');
        }
        Files.writeString(log, first);
        runtime.rotateIfLarge(env);
        assertEquals(0, Files.size(log), "truncated in place: a server writing in append mode goes on at its start");
        assertEquals(first.toString(), Files.readString(files.runDir(env).resolve("server.log.1")));
        Files.writeString(log, "line 11\nline 12\n", java.nio.file.StandardOpenOption.APPEND);
        runtime.rotateIfLarge(env); // small: stays

        assertEquals(List.of("line 10", "line 11", "line 12"), runtime.tailLog(env, 3));
        try (var in = runtime.openLog(env)) {
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(all.startsWith("line 1\n") && all.endsWith("line 12\n"), all);
            assertEquals(12, all.lines().count());
        }
        assertEquals(List.of(), runtime.tailLog(UUID.randomUUID().toString(), 5), "no log yet: nothing");
    }
}
