package io.cloudplane.infra.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The data directory holds every tenant's database files, objects and code, and the keys that open
 * them: it is {@code 0700} and its keys {@code 0600}, readable by Cloudplane's user only. Both are
 * created so and, when an earlier release or an operator left them open, closed again at each start.
 * On a file system without POSIX permissions nothing is changed.
 */
public final class OwnerOnly {
    private static final Logger LOG = LoggerFactory.getLogger(OwnerOnly.class);
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private OwnerOnly() {
    }

    /** Creates {@code dir} (and any missing parent) as {@code 0700}, or makes an existing one {@code 0700}. */
    public static Path directory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                try {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
                } catch (UnsupportedOperationException notPosix) {
                    Files.createDirectories(dir);
                }
            }
            restrict(dir, DIRECTORY);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create or protect the directory " + dir, e);
        }
    }

    /** Makes {@code file} {@code 0600}. */
    public static Path file(Path file) {
        try {
            restrict(file, FILE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot protect the file " + file, e);
        }
    }

    private static void restrict(Path path, Set<PosixFilePermission> wanted) throws IOException {
        try {
            Set<PosixFilePermission> current = Files.getPosixFilePermissions(path);
            if (!current.equals(wanted)) {
                Files.setPosixFilePermissions(path, wanted);
                LOG.warn("{} was {}; it is now {}, readable by Cloudplane's user only", path,
                        PosixFilePermissions.toString(current), PosixFilePermissions.toString(wanted));
            }
        } catch (UnsupportedOperationException notPosix) {
            // not a POSIX file system: nothing to set
        }
    }
}
