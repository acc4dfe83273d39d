package io.cloudplane.worker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When the build trains the class-data-sharing archive again: exactly when the JVM would refuse the old one. */
class CdsArchiveTest {
    @TempDir
    Path dir;

    @Test
    void anUnchangedJarAndLibrariesKeepTheArchiveAndNoTrainingStarts() throws Exception {
        Path jar = jarWithLibraries("lib/a.jar", "lib/b.jar");
        Path archive = dir.resolve("app.jsa");
        Files.writeString(archive, "archive");
        Files.writeString(CdsArchive.inputsFile(archive), CdsArchive.inputs(jar));

        CdsArchive.main(new String[] {jar.toString(), archive.toString(), dir.resolve("training").toString()});

        assertEquals("archive", Files.readString(archive));
        assertFalse(Files.exists(dir.resolve("training")), "no training start");
    }

    @Test
    void aLibraryWithAnotherTimeOrSizeOrAMissingOneMakesOtherInputs() throws Exception {
        Path jar = jarWithLibraries("lib/a.jar", "lib/b.jar");
        String before = CdsArchive.inputs(jar);
        assertEquals(before, CdsArchive.inputs(jar));

        Path library = dir.resolve("lib/b.jar");
        Files.setLastModifiedTime(library, FileTime.fromMillis(Files.getLastModifiedTime(library).toMillis() + 1000));
        String touched = CdsArchive.inputs(jar);
        assertNotEquals(before, touched);

        Files.writeString(library, "a longer library");
        String grown = CdsArchive.inputs(jar);
        assertNotEquals(touched, grown);

        Files.delete(library);
        assertTrue(CdsArchive.inputs(jar).contains("b.jar missing"), CdsArchive.inputs(jar));
    }

    @Test
    void aRepackagedJarMakesOtherInputs() throws Exception {
        Path jar = jarWithLibraries("lib/a.jar");
        String before = CdsArchive.inputs(jar);
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 1000));
        assertNotEquals(before, CdsArchive.inputs(jar));
    }

    private Path jarWithLibraries(String... libraries) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", libraries));
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.flush();
        }
        for (String library : libraries) {
            Files.createDirectories(dir.resolve(library).getParent());
            Files.writeString(dir.resolve(library), "library");
        }
        return jar;
    }
}
