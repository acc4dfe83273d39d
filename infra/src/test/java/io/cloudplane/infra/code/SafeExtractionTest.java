package io.cloudplane.infra.code;

import io.cloudplane.infra.code.CodeArchives.HostileArchiveException;
import io.cloudplane.infra.code.CodeArchives.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checks every entry of an upload passes, whatever its format, driven entry by entry (the
 * formats' own tests are in CodeArchivesTest).
 */
class SafeExtractionTest {
    private static final Limits LIMITS = new Limits(1024 * 1024, 10, 100);

    @TempDir
    Path dir;

    @Test
    void writesFilesFoldersAndLinksWithNormalisedPermissions() throws IOException {
        Path target = dir.resolve("tree");
        SafeExtraction extraction = new SafeExtraction(target, LIMITS);
        extraction.directory("./");
        extraction.directory("src/");
        extraction.file("src/run.sh", 0100700, content("#!/bin/sh\n"));
        extraction.file("README", 0100600, content("read me\n"));
        extraction.hardLink("src/again.sh", "src/run.sh");
        extraction.symlink("latest", "src/run.sh");
        assertFalse(Files.exists(target.resolve("latest"), java.nio.file.LinkOption.NOFOLLOW_LINKS), "links come last");
        extraction.finish();

        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("src/run.sh"))));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("README"))));
        assertEquals("#!/bin/sh\n", Files.readString(target.resolve("src/again.sh")), "a hard link becomes a copy");
        assertFalse(Files.isSameFile(target.resolve("src/run.sh"), target.resolve("src/again.sh")));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("src/again.sh"))));
        assertEquals(Path.of("src/run.sh"), Files.readSymbolicLink(target.resolve("latest")));
    }

    @Test
    void onlyAnEmptyFolderIsExtractedInto() throws IOException {
        Path target = Files.createDirectories(dir.resolve("used"));
        Files.writeString(target.resolve("old.txt"), "old");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new SafeExtraction(target, LIMITS));
        assertTrue(refused.getMessage().endsWith("is not empty"), refused.getMessage());
    }

    @Test
    void aNameUsedTwiceOrBelowAFileIsRefused() throws IOException {
        SafeExtraction twice = new SafeExtraction(dir.resolve("twice"), LIMITS);
        twice.file("a.txt", 0644, content("1"));
        assertRefused("entry './a.txt' appears more than once", () -> twice.file("./a.txt", 0644, content("2")));
        twice.directory("d/");
        twice.directory("d"); // a folder may be named again

        SafeExtraction below = new SafeExtraction(dir.resolve("below"), LIMITS);
        below.file("a", 0644, content("file"));
        assertRefused("entry 'a/b.txt' lies below the file 'a'", () -> below.file("a/b.txt", 0644, content("x")));
    }

    @Test
    void namesThatAreNotPlainRelativePathsAreRefused() throws IOException {
        SafeExtraction extraction = new SafeExtraction(dir.resolve("names"), LIMITS);
        assertRefused("entry without a name", () -> extraction.file("", 0644, content("x")));
        assertRefused("entry 'a?b' has a NUL character in its name", () -> extraction.file("a\0b", 0644, content("x")));
        assertRefused("entry '.' names the code tree itself", () -> extraction.file(".", 0644, content("x")));
        assertRefused("entry 'a/../../b' leaves the code tree", () -> extraction.directory("a/../../b"));
        assertRefused("entry 'C:\\x' is an absolute path", () -> extraction.file("C:\\x", 0644, content("x")));
    }

    @Test
    void linksThatLoopOrHaveNoTargetAreRefused() throws IOException {
        SafeExtraction loop = new SafeExtraction(dir.resolve("loop"), LIMITS);
        loop.symlink("a", "b");
        loop.symlink("b", "a");
        assertRefused("link 'a' is part of a loop of links", loop::finish);
        assertFalse(Files.exists(dir.resolve("loop/a"), java.nio.file.LinkOption.NOFOLLOW_LINKS), "no link is created");

        SafeExtraction empty = new SafeExtraction(dir.resolve("empty"), LIMITS);
        assertRefused("link 'a' has no target", () -> empty.symlink("a", ""));
        assertRefused("link 'b' has an unsupported target", () -> empty.symlink("b", "x\\y"));
    }

    @Test
    void entriesAndBytesAreCountedAgainstTheLimits() throws IOException {
        SafeExtraction extraction = new SafeExtraction(dir.resolve("limits"), LIMITS);
        for (int i = 0; i < 10; i++) {
            extraction.count();
        }
        assertRefused("more than 10 entries", extraction::count);

        SafeExtraction bytes = new SafeExtraction(dir.resolve("bytes"), LIMITS);
        bytes.file("a", 0644, new ByteArrayInputStream(new byte[60]));
        assertRefused("expands to more than 100 bytes", () -> bytes.file("b", 0644, new ByteArrayInputStream(new byte[41])));
    }

    private static InputStream content(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertRefused(String message, Executable step) {
        assertEquals(message, assertThrows(HostileArchiveException.class, step).getMessage());
    }
}
