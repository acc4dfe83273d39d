package io.cloudplane.infra.files;

import io.cloudplane.infra.config.CloudplaneSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalEnvironmentFilesTest {
    @TempDir
    Path dataDir;

    @Test
    void codeIsALinkToTheCurrentTreeAndSwitchingIsOneRename() throws Exception {
        LocalEnvironmentFiles files = new LocalEnvironmentFiles(new CloudplaneSettings(dataDir.toString()));
        String env = UUID.randomUUID().toString();
        files.createFolders(env);
        assertTrue(Files.isSymbolicLink(files.codeDir(env)));
        assertEquals("initial", files.currentCodeTree(env));

        Path next = files.prepareCodeTree(env, "u-" + env);
        Files.writeString(next.resolve("index.html"), "new");
        assertFalse(Files.exists(files.codeDir(env).resolve("index.html")), "staged, not live");
        files.activateCodeTree(env, "u-" + env);
        files.activateCodeTree(env, "u-" + env); // idempotent
        assertEquals("new", Files.readString(files.codeDir(env).resolve("index.html")));
        assertThrows(IllegalStateException.class, () -> files.deleteCodeTree(env, "u-" + env), "the current tree stays");
        files.deleteCodeTree(env, "initial");
        assertThrows(IllegalStateException.class, () -> files.activateCodeTree(env, "initial"), "a removed tree cannot be activated");
        assertThrows(IllegalArgumentException.class, () -> files.prepareCodeTree(env, "../escape"));
        try (var siblings = Files.list(files.codeDir(env).getParent())) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().startsWith("code.link-")), "no temporary link left");
        }
    }

    @Test
    void aPlainCodeFolderFromBeforeCodeTreesBecomesTheFirstTree() throws Exception {
        LocalEnvironmentFiles files = new LocalEnvironmentFiles(new CloudplaneSettings(dataDir.toString()));
        String env = UUID.randomUUID().toString();
        Path code = dataDir.resolve("environments").resolve(env).resolve("code");
        Files.createDirectories(code);
        Files.writeString(code.resolve("old.html"), "old");
        assertEquals("initial", files.currentCodeTree(env));
        assertTrue(Files.isSymbolicLink(code));
        assertEquals("old", Files.readString(code.resolve("old.html")));
    }
}
