package io.cloudplane.infra.config;

import io.cloudplane.infra.embedded.GeneratedKeysResolver;
import io.micronaut.core.convert.ConversionService;
import io.micronaut.core.value.MapPropertyResolver;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The data directory and its keys are readable by Cloudplane's user only: created so, and closed again when found open. */
class OwnerOnlyTest {

    @Test
    void aNewDataDirectoryAndItsKeysAreOwnerOnly() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "owner-only-").toAbsolutePath().resolve("new/data");
        new CloudplaneSettings(dataDir.toString());
        new GeneratedKeysResolver().resolve(new MapPropertyResolver(Map.of("cloudplane.data-dir", dataDir.toString())),
                ConversionService.SHARED, "session-signing-secret", String.class).orElseThrow();

        assertEquals("rwx------", permissions(dataDir));
        assertEquals("rwx------", permissions(dataDir.resolve("keys")));
        assertEquals("rw-------", permissions(dataDir.resolve("keys/jwt.key")));
    }

    @Test
    void anOpenDataDirectoryAndOpenKeysAreClosedAtStart() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "owner-only-").toAbsolutePath();
        Path keys = Files.createDirectories(dataDir.resolve("keys"));
        byte[] key = KeyFiles.loadOrCreate(keys.resolve("secret.key"), 32);
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rwxrwxr-x"));
        Files.setPosixFilePermissions(keys.resolve("secret.key"), PosixFilePermissions.fromString("rw-r--r--"));

        new CloudplaneSettings(dataDir.toString());
        assertArrayEquals(key, KeyFiles.loadOrCreate(keys.resolve("secret.key"), 32), "the key itself is kept");

        assertEquals("rwx------", permissions(dataDir));
        assertEquals("rwx------", permissions(keys));
        assertEquals("rw-------", permissions(keys.resolve("secret.key")));
    }

    private static String permissions(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
