package io.cloudplane.infra.code;

import io.cloudplane.infra.crypto.Sha256;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * Code trees as archives: an uploaded zip or tar.gz unpacked without trusting it, and a tree packed
 * into a canonical tar.gz whose bytes (and so whose SHA-256) depend only on the tree's content.
 *
 * <p>Uploads come from users, so every name, link and size in them is hostile until checked: nothing
 * is ever written outside the target folder, sizes are counted on the bytes actually written (zip
 * bombs lie about theirs), and symbolic links are only created once every other entry is out, after
 * checking that no chain of them leads out of the tree, so that none can be written through.
 *
 * <p>Each mechanism has its own class: {@link SafeExtraction} (the checks every entry passes),
 * {@link ZipExtractor} and {@link TarGzExtractor} (the formats), {@link MeteredInputStream} and
 * {@link ArchiveReads} (limits on what is read, and what a failure to read means) and
 * {@link CanonicalTarGz} (the writer).
 */
public final class CodeArchives {

    private CodeArchives() {
    }

    /**
     * How much an archive may hold: its own size, how many entries it has and how many bytes it
     * writes once unpacked.
     */
    public record Limits(long maxArchiveBytes, int maxEntries, long maxExpandedBytes) {
        public Limits {
            if (maxArchiveBytes < 0 || maxEntries < 0 || maxExpandedBytes < 0) {
                throw new IllegalArgumentException("Archive limits cannot be negative");
            }
        }
    }

    /** An archive refused for what it holds; its message says what, for the uploader to read. */
    public static final class HostileArchiveException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public HostileArchiveException(String message) {
            super(message);
        }
    }

    /**
     * Unpacks an uploaded zip or tar.gz, told apart by their first bytes, into {@code target} (an
     * empty folder, created if missing). On a {@link HostileArchiveException} the target holds part
     * of the archive and should be deleted; nothing has been written outside it.
     */
    public static void extract(Path archive, Path target, Limits limits) throws IOException {
        long size = Files.size(archive);
        if (size > limits.maxArchiveBytes()) {
            throw new HostileArchiveException("archive is larger than " + limits.maxArchiveBytes() + " bytes");
        }
        byte[] magic = new byte[4];
        int read;
        try (InputStream in = Files.newInputStream(archive)) {
            read = in.readNBytes(magic, 0, magic.length);
        }
        if (ZipExtractor.isZip(magic, read)) {
            ZipExtractor.extract(archive, new SafeExtraction(target, limits));
        } else if (TarGzExtractor.isGzip(magic, read)) {
            try (InputStream in = Files.newInputStream(archive)) {
                extractTarGz(in, target, limits);
            }
        } else {
            throw new HostileArchiveException("not a zip or tar.gz archive");
        }
    }

    /**
     * Unpacks a tar.gz stream into {@code target} under the same rules as {@link #extract}, and
     * returns the lowercase hex SHA-256 of every byte read from {@code in}, which is read to its end
     * (past the archive's own end, if anything follows it) but not closed: a downloaded artifact is
     * unpacked and its digest checked in one pass. The caller must not trust the tree before it has
     * compared that digest.
     */
    public static String extractTarGz(InputStream in, Path target, Limits limits) throws IOException {
        return TarGzExtractor.extract(in, new SafeExtraction(target, limits));
    }

    /**
     * Writes the canonical tar.gz of {@code tree}: entries sorted by path, no times, owners or
     * umask in it (directories and executable files 0755, other files 0644, links 0777), symbolic
     * links kept as links and never followed, and a gzip header without time or name. The same tree
     * thus always gives the same bytes. {@code out} is left open.
     */
    public static void writeTarGz(Path tree, OutputStream out) throws IOException {
        CanonicalTarGz.write(tree, out);
    }

    /** The lowercase hex SHA-256 of a file's bytes. */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) != -1) {
                digest.update(buffer, 0, n);
            }
        }
        return Sha256.hex(digest);
    }
}
