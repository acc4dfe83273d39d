package io.cloudplane.infra.files;

import io.cloudplane.infra.config.CloudplaneSettings;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.regex.Pattern;

/** Folders under {@code <data dir>/environments/<envId>/}: code, resources, run (pid file and logs). */
@Singleton
public class LocalEnvironmentFiles implements EnvironmentFiles {
    private static final Pattern ID = Pattern.compile("[0-9a-fA-F-]{1,64}");
    private final Path root;

    public LocalEnvironmentFiles(CloudplaneSettings settings) {
        this.root = settings.dataDir().resolve("environments");
    }

    @Override
    public void createFolders(String envId) {
        try {
            Files.createDirectories(codeDir(envId));
            Files.createDirectories(resourcesDir(envId));
            Files.createDirectories(runDir(envId));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void deleteFolders(String envId) {
        Path dir = envDir(envId);
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                    if (exc instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw exc;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean exists(String envId) {
        return Files.exists(envDir(envId));
    }

    @Override
    public Path codeDir(String envId) {
        return envDir(envId).resolve("code");
    }

    @Override
    public Path resourcesDir(String envId) {
        return envDir(envId).resolve("resources");
    }

    @Override
    public Path runDir(String envId) {
        return envDir(envId).resolve("run");
    }

    private Path envDir(String envId) {
        if (!ID.matcher(envId).matches()) {
            throw new IllegalArgumentException("not an environment id: " + envId);
        }
        return root.resolve(envId);
    }
}
