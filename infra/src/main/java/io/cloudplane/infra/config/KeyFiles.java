package io.cloudplane.infra.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Keys that are generated once and kept under the data directory, readable by the owner only: the
 * directory {@code 0700}, each key {@code 0600}, fixed at each load if an earlier release left them open.
 */
public final class KeyFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyFiles() {
    }

    /** Returns the key's bytes, creating a random key of {@code bytes} length in {@code file} if absent. */
    public static synchronized byte[] loadOrCreate(Path file, int bytes) {
        try {
            OwnerOnly.directory(file.getParent());
            if (Files.exists(file)) {
                OwnerOnly.file(file);
                return Base64.getDecoder().decode(Files.readString(file).trim());
            }
            byte[] key = new byte[bytes];
            RANDOM.nextBytes(key);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, Base64.getEncoder().encodeToString(key), StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: the directory's own protection applies
            }
            Files.move(tmp, file);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the key file " + file, e);
        }
    }
}
