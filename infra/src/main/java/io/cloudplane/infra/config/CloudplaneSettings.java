package io.cloudplane.infra.config;

import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where Cloudplane keeps its state on this machine ({@code CLOUDPLANE_DATA_DIR}, default {@code ./.cloudplane}). */
@Singleton
public class CloudplaneSettings {
    private final Path dataDir;

    public CloudplaneSettings(@Value("${cloudplane.data-dir:" + io.cloudplane.infra.embedded.EmbeddedPostgresResolver.DEFAULT_DATA_DIR + "}") String dataDir) {
        this.dataDir = Path.of(dataDir).toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the data directory " + this.dataDir, e);
        }
    }

    public Path dataDir() {
        return dataDir;
    }
}
