package io.cloudplane.infra.code;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The canonical tar.gz of a tree: its bytes (and so its SHA-256) depend only on the tree's names,
 * contents, kinds and executable bits. Entries are sorted by path; no times, owners or umask are
 * in it (directories and executable files 0755, other files 0644, links 0777); symbolic links are
 * kept as links and never followed; the gzip header has no time or name.
 */
final class CanonicalTarGz {
    private CanonicalTarGz() {
    }

    /** Writes the canonical tar.gz of {@code tree} to {@code out}, which is left open. */
    static void write(Path tree, OutputStream out) throws IOException {
        Path root = tree.toRealPath();
        if (!Files.isDirectory(root)) {
            throw new IOException(tree + " is not a folder");
        }
        Map<String, Path> entries = entries(root);
        List<String> names = new ArrayList<>(entries.keySet());
        names.sort(Comparator.naturalOrder());

        GzipParameters parameters = new GzipParameters();
        parameters.setModificationTime(0);
        parameters.setFileName(null);
        parameters.setComment(null);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(
                new GzipCompressorOutputStream(new CloseShield(out), parameters), StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (String name : names) {
                writeEntry(tar, name, entries.get(name));
            }
            tar.finish();
        }
    }

    /** Every path below {@code root} by its entry name: '/'-separated, a folder's ending in '/'. */
    private static Map<String, Path> entries(Path root) throws IOException {
        Map<String, Path> entries = new HashMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : (Iterable<Path>) walk::iterator) {
                if (path.equals(root)) {
                    continue;
                }
                StringBuilder name = new StringBuilder();
                for (Path element : root.relativize(path)) {
                    name.append(name.length() == 0 ? "" : "/").append(element);
                }
                if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    name.append('/');
                }
                entries.put(name.toString(), path);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return entries;
    }

    private static void writeEntry(TarArchiveOutputStream tar, String name, Path path) throws IOException {
        TarArchiveEntry entry;
        boolean regular = false;
        if (Files.isSymbolicLink(path)) {
            entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
            entry.setLinkName(Files.readSymbolicLink(path).toString());
            entry.setMode(0120777);
        } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            entry = new TarArchiveEntry(name);
            entry.setMode(040755);
        } else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            regular = true;
            entry = new TarArchiveEntry(name);
            entry.setMode(isExecutable(path) ? 0100755 : 0100644);
            entry.setSize(Files.size(path));
        } else {
            throw new IOException(path + " is neither a file, a folder nor a symbolic link");
        }
        entry.setModTime(FileTime.fromMillis(0));
        entry.setUserId(0L);
        entry.setGroupId(0L);
        entry.setUserName("");
        entry.setGroupName("");
        tar.putArchiveEntry(entry);
        if (regular) {
            Files.copy(path, tar);
        }
        tar.closeArchiveEntry();
    }

    private static boolean isExecutable(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)
                    .contains(PosixFilePermission.OWNER_EXECUTE);
        }
        return Files.isExecutable(file);
    }

    /** Lets a stream be closed (and so its compressor released) without closing the caller's. */
    private static final class CloseShield extends OutputStream {
        private final OutputStream out;

        CloseShield(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
