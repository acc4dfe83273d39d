package io.cloudplane.infra.backup;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/** A folder as a tar stream, written by a thread as it is read, and a tar stream unpacked into a folder. */
public final class TarStreams {
    private TarStreams() {
    }

    /**
     * The tar of {@code dir}'s regular files and folders (symbolic links are left out), produced
     * while it is read: never more than a pipe buffer in memory. An error while walking makes the
     * stream fail at its end.
     */
    public static InputStream of(Path dir) throws IOException {
        PipedInputStream in = new PipedInputStream(256 * 1024);
        PipedOutputStream out = new PipedOutputStream(in);
        AtomicReference<IOException> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                write(dir, tar);
                tar.finish();
            } catch (IOException e) {
                failure.set(e);
                try {
                    out.close();
                } catch (IOException ignored) {
                    // reported through failure
                }
            }
        }, "tar-" + dir.getFileName());
        writer.setDaemon(true);
        writer.start();
        return new java.io.FilterInputStream(in) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n < 0) {
                    finish();
                }
                return n;
            }

            @Override
            public int read() throws IOException {
                int n = super.read();
                if (n < 0) {
                    finish();
                }
                return n;
            }

            private void finish() throws IOException {
                try {
                    writer.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
                if (failure.get() != null) {
                    throw new IOException("Archiving " + dir + " failed: " + failure.get().getMessage(), failure.get());
                }
            }
        };
    }

    private static void write(Path dir, TarArchiveOutputStream tar) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = walk.filter(p -> !p.equals(dir)).sorted().toList();
        }
        for (Path path : paths) {
            if (Files.isSymbolicLink(path)) {
                continue;
            }
            String name = dir.relativize(path).toString().replace('\\', '/');
            boolean directory = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
            TarArchiveEntry entry = new TarArchiveEntry(path.toFile(), directory ? name + "/" : name);
            tar.putArchiveEntry(entry);
            if (!directory) {
                Files.copy(path, tar);
            }
            tar.closeArchiveEntry();
        }
    }

    /**
     * Unpacks a tar stream into {@code dir}, refusing entries that would land outside it. The source
     * is left open, so that the caller can read what follows the archive's end (its padding).
     */
    public static void extract(InputStream source, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path root = dir.toAbsolutePath().normalize();
        InputStream shielded = new java.io.FilterInputStream(source) {
            @Override
            public void close() {
                // the caller closes the source
            }
        };
        try (TarArchiveInputStream tar = new TarArchiveInputStream(shielded)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path target = root.resolve(entry.getName()).normalize();
                if (!target.startsWith(root)) {
                    throw new IOException("Refusing an archive entry outside the target folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else if (entry.isFile()) {
                    Files.createDirectories(target.getParent());
                    try (OutputStream out = Files.newOutputStream(target)) {
                        tar.transferTo(out);
                    }
                }
            }
        }
    }
}
