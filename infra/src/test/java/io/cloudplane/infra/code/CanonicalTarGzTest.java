package io.cloudplane.infra.code;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the canonical writer refuses (what it writes is checked through the facade in CodeArchivesTest). */
class CanonicalTarGzTest {
    @TempDir
    Path dir;

    @Test
    void onlyAFolderIsPacked() throws IOException {
        Path file = Files.writeString(dir.resolve("file.txt"), "x");
        IOException refused = assertThrows(IOException.class, () -> CanonicalTarGz.write(file, new ByteArrayOutputStream()));
        assertTrue(refused.getMessage().endsWith("file.txt is not a folder"), refused.getMessage());
    }

    @Test
    void aTreeHoldingSomethingElseThanFilesFoldersAndLinksIsRefused() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Process mkfifo = new ProcessBuilder("mkfifo", tree.resolve("pipe").toString()).start();
        assertEquals(0, mkfifo.waitFor());
        IOException refused = assertThrows(IOException.class, () -> CanonicalTarGz.write(tree, new ByteArrayOutputStream()));
        assertTrue(refused.getMessage().endsWith("pipe is neither a file, a folder nor a symbolic link"), refused.getMessage());
    }
}
