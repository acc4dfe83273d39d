package io.cloudplane.infra.code;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Code trees as archives: an uploaded zip or tar.gz unpacked without trusting it, and a tree packed
 * into a canonical tar.gz whose bytes (and so whose SHA-256) depend only on the tree's content.
 *
 * <p>Uploads come from users, so every name, link and size in them is hostile until checked: nothing
 * is ever written outside the target folder, sizes are counted on the bytes actually written (zip
 * bombs lie about theirs), and symbolic links are only created once every other entry is out, after
 * checking that no chain of them leads out of the tree, so that none can be written through.
 */
public final class CodeArchives {
    /** Longest symbolic link target accepted (Linux's PATH_MAX). */
    private static final int MAX_LINK_TARGET = 4096;
    /** How many links one path may go through before it is taken for a loop (Linux's limit). */
    private static final int MAX_LINK_HOPS = 40;
    /**
     * What a tar may hold besides file content, per entry (headers, PAX records, long names and
     * padding) and once (global headers, end-of-archive records): it bounds what the tar reader
     * keeps in memory, as long names and PAX headers are read whole.
     */
    private static final long TAR_OVERHEAD_PER_ENTRY = 16 * 1024;
    private static final long TAR_OVERHEAD = 1024 * 1024;
    private static final int TYPE_MASK = 0170000;
    private static final int TYPE_FILE = 0100000;
    private static final int TYPE_DIRECTORY = 0040000;
    private static final int OWNER_EXECUTE = 0100;
    private static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> NOT_EXECUTABLE = PosixFilePermissions.fromString("rw-r--r--");
    /** The most a tar header (a long name, a PAX header) may hold; real ones are a few hundred bytes. */
    static final long MAX_HEADER_BYTES = 1024 * 1024;
    /** The most a zip's central directory may take per allowed entry (46 bytes plus name and extras). */
    static final long MAX_ZIP_DIRECTORY_BYTES_PER_ENTRY = 1024;
    private static final Pattern WINDOWS_DRIVE = Pattern.compile("^[A-Za-z]:.*", Pattern.DOTALL);

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
        if (read == 4 && magic[0] == 'P' && magic[1] == 'K'
                && (magic[2] == 3 && magic[3] == 4 || magic[2] == 5 && magic[3] == 6)) {
            extractZip(archive, new Extraction(target, limits));
        } else if (read >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
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
        Extraction extraction = new Extraction(target, limits);
        MessageDigest digest = newSha256();
        Metered source = new Metered(in, limits.maxArchiveBytes(),
                "archive is larger than " + limits.maxArchiveBytes() + " bytes", digest, true);
        GzipCompressorInputStream gzip = reading(() -> new GzipCompressorInputStream(source));
        long tarLimit = saturatedAdd(limits.maxExpandedBytes(),
                saturatedAdd(TAR_OVERHEAD, saturatedMultiply(limits.maxEntries() + 2L, TAR_OVERHEAD_PER_ENTRY)));
        Metered tarBytes = new Metered(gzip, tarLimit,
                "expands to more than " + limits.maxExpandedBytes() + " bytes", null, false);
        try (TarArchiveInputStream tar = new TarArchiveInputStream(tarBytes, StandardCharsets.UTF_8.name())) {
            extractTar(tar, extraction, tarBytes);
            reading(() -> source.transferTo(OutputStream.nullOutputStream()));
        }
        extraction.finish();
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Writes the canonical tar.gz of {@code tree}: entries sorted by path, no times, owners or
     * umask in it (directories and executable files 0755, other files 0644, links 0777), symbolic
     * links kept as links and never followed, and a gzip header without time or name. The same tree
     * thus always gives the same bytes. {@code out} is left open.
     */
    public static void writeTarGz(Path tree, OutputStream out) throws IOException {
        Path root = tree.toRealPath();
        if (!Files.isDirectory(root)) {
            throw new IOException(tree + " is not a folder");
        }
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

    /** The lowercase hex SHA-256 of a file's bytes. */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest = newSha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) != -1) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
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

    /**
     * ZipFile reads the whole central directory before the first entry: its declared entry count
     * and size are checked first, from the end-of-central-directory record (and its zip64 form).
     */
    static void checkZipDirectory(Path archive, Limits limits) throws IOException {
        long size = Files.size(archive);
        int tail = (int) Math.min(size, 22 + 65535);
        byte[] end = new byte[tail];
        try (var channel = java.nio.channels.FileChannel.open(archive)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(end);
            channel.position(size - tail);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // read the tail
            }
            java.nio.ByteBuffer le = java.nio.ByteBuffer.wrap(end).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int eocd = -1;
            for (int i = tail - 22; i >= 0; i--) {
                if (le.getInt(i) == 0x06054b50) {
                    eocd = i;
                    break;
                }
            }
            if (eocd < 0) {
                throw new HostileArchiveException("archive is damaged or unsupported: no end of central directory");
            }
            long entries = le.getShort(eocd + 10) & 0xffffL;
            long directory = le.getInt(eocd + 12) & 0xffffffffL;
            if ((entries == 0xffff || directory == 0xffffffffL) && eocd >= 20 && le.getInt(eocd - 20) == 0x07064b50) {
                long zip64 = le.getLong(eocd - 20 + 8);
                if (zip64 < 0 || zip64 > size - 56) {
                    throw new HostileArchiveException("archive is damaged or unsupported: bad zip64 record");
                }
                java.nio.ByteBuffer record = java.nio.ByteBuffer.allocate(56).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                channel.position(zip64);
                while (record.hasRemaining() && channel.read(record) >= 0) {
                    // read the zip64 record
                }
                if (record.getInt(0) != 0x06064b50) {
                    throw new HostileArchiveException("archive is damaged or unsupported: bad zip64 record");
                }
                entries = record.getLong(32);
                directory = record.getLong(40);
            }
            if (entries < 0 || entries > limits.maxEntries()) {
                throw new HostileArchiveException("more than " + limits.maxEntries() + " entries");
            }
            if (directory < 0 || directory > saturatedMultiply(limits.maxEntries(), MAX_ZIP_DIRECTORY_BYTES_PER_ENTRY) + 65536) {
                throw new HostileArchiveException("the archive's directory is larger than its " + limits.maxEntries()
                        + " entries may take");
            }
        }
    }

    private static void extractZip(Path archive, Extraction extraction) throws IOException {
        checkZipDirectory(archive, extraction.limits());
        try (ZipFile zip = reading(() -> ZipFile.builder().setPath(archive).get())) {
            for (ZipArchiveEntry entry : Collections.list(zip.getEntries())) {
                extraction.count();
                String name = entry.getName();
                int mode = entry.getUnixMode();
                int type = mode & TYPE_MASK;
                if (entry.isUnixSymlink()) {
                    extraction.symlink(name, zipLinkTarget(zip, entry, extraction));
                } else if (type == TYPE_DIRECTORY || entry.isDirectory()) {
                    extraction.directory(name);
                } else if (type == 0 || type == TYPE_FILE) {
                    try (InputStream content = guarded(reading(() -> zip.getInputStream(entry)))) {
                        extraction.file(name, mode, content);
                    }
                } else {
                    throw new HostileArchiveException("entry '" + name + "' is not a file, folder or link");
                }
            }
        }
        extraction.finish();
    }

    private static String zipLinkTarget(ZipFile zip, ZipArchiveEntry entry, Extraction extraction) throws IOException {
        byte[] target;
        try (InputStream content = guarded(reading(() -> zip.getInputStream(entry)))) {
            target = content.readNBytes(MAX_LINK_TARGET + 1);
        }
        if (target.length > MAX_LINK_TARGET) {
            throw new HostileArchiveException("link '" + entry.getName() + "' has a target longer than "
                    + MAX_LINK_TARGET + " bytes");
        }
        extraction.countWritten(target.length);
        return new String(target, StandardCharsets.UTF_8);
    }

    /**
     * The tar reader holds a long name or an extended header whole in memory: each header gets a
     * budget of {@link #MAX_HEADER_BYTES}, so a small archive cannot make it allocate gigabytes.
     */
    private static void extractTar(TarArchiveInputStream tar, Extraction extraction, Metered tarBytes) throws IOException {
        TarArchiveEntry entry;
        while (true) {
            tarBytes.openWindow(MAX_HEADER_BYTES, "an entry's header (its name or extended attributes) is larger than "
                    + MAX_HEADER_BYTES + " bytes");
            try {
                entry = reading(tar::getNextEntry);
            } finally {
                tarBytes.closeWindow();
            }
            if (entry == null) {
                break;
            }
            byte type = entry.getLinkFlag();
            if (type == TarConstants.LF_PAX_GLOBAL_EXTENDED_HEADER) {
                continue; // metadata, such as the commit id git archive records
            }
            extraction.count();
            String name = entry.getName();
            switch (type) {
                case TarConstants.LF_SYMLINK -> extraction.symlink(name, entry.getLinkName());
                case TarConstants.LF_LINK -> extraction.hardLink(name, entry.getLinkName());
                case TarConstants.LF_DIR -> extraction.directory(name);
                case TarConstants.LF_NORMAL, TarConstants.LF_OLDNORM, TarConstants.LF_CONTIG -> {
                    if (name.endsWith("/")) {
                        extraction.directory(name);
                    } else if (entry.isSparse()) {
                        throw new HostileArchiveException("entry '" + name + "' is a sparse file, which is not supported");
                    } else {
                        extraction.file(name, entry.getMode(), guarded(tar));
                    }
                }
                case TarConstants.LF_CHR -> throw new HostileArchiveException("entry '" + name + "' is a character device");
                case TarConstants.LF_BLK -> throw new HostileArchiveException("entry '" + name + "' is a block device");
                case TarConstants.LF_FIFO -> throw new HostileArchiveException("entry '" + name + "' is a fifo");
                default -> throw new HostileArchiveException("entry '" + name + "' is not a file, folder or link (tar type '"
                        + (type >= 0x21 && type < 0x7f ? String.valueOf((char) type) : String.valueOf(type & 0xff)) + "')");
            }
        }
    }

    /** One unpacking: what has been written so far, and the links still to be created. */
    private static final class Extraction {
        private enum Kind {
            DIRECTORY("folder"), FILE("file"), LINK("link");

            private final String label;

            Kind(String label) {
                this.label = label;
            }
        }

        private final Path root;
        private final Limits limits;

        Limits limits() {
            return limits;
        }
        private final boolean posix;
        /** What each path written so far is, relative to the root with '/' separators. */
        private final Map<String, Kind> kinds = new HashMap<>();
        /** Symbolic links, created at the end: relative path to link target. */
        private final Map<String, String> links = new LinkedHashMap<>();
        private int entries;
        private long written;

        Extraction(Path target, Limits limits) throws IOException {
            Files.createDirectories(target);
            try (Stream<Path> content = Files.list(target)) {
                if (content.findAny().isPresent()) {
                    throw new IllegalArgumentException(target + " is not empty");
                }
            }
            this.root = target.toRealPath();
            this.limits = limits;
            this.posix = root.getFileSystem().supportedFileAttributeViews().contains("posix");
        }

        void count() {
            entries++;
            if (entries > limits.maxEntries()) {
                throw new HostileArchiveException("more than " + limits.maxEntries() + " entries");
            }
        }

        void countWritten(long bytes) {
            written += bytes;
            if (written > limits.maxExpandedBytes()) {
                throw new HostileArchiveException("expands to more than " + limits.maxExpandedBytes() + " bytes");
            }
        }

        void directory(String name) throws IOException {
            String relative = place(name, Kind.DIRECTORY);
            if (!relative.isEmpty()) {
                Files.createDirectories(root.resolve(relative));
            }
        }

        void file(String name, int mode, InputStream content) throws IOException {
            Path file = root.resolve(place(name, Kind.FILE));
            Files.createDirectories(file.getParent());
            write(content, file);
            permissions(file, (mode & OWNER_EXECUTE) != 0 ? EXECUTABLE : NOT_EXECUTABLE);
        }

        void hardLink(String name, String linked) throws IOException {
            String source = linked == null ? "" : linked;
            String sourceRelative;
            try {
                sourceRelative = relative(source);
            } catch (HostileArchiveException e) {
                throw new HostileArchiveException("hard link '" + name + "' points outside the code tree: " + source);
            }
            if (kinds.get(sourceRelative) != Kind.FILE) {
                throw new HostileArchiveException("hard link '" + name + "' points to '" + source
                        + "', which is not a file extracted before it");
            }
            Path from = root.resolve(sourceRelative);
            Path file = root.resolve(place(name, Kind.FILE));
            Files.createDirectories(file.getParent());
            try (InputStream content = Files.newInputStream(from, LinkOption.NOFOLLOW_LINKS)) {
                write(content, file);
            }
            if (posix) {
                permissions(file, Files.getPosixFilePermissions(from, LinkOption.NOFOLLOW_LINKS));
            }
        }

        void symlink(String name, String target) {
            String relative = place(name, Kind.LINK);
            if (target == null || target.isEmpty()) {
                throw new HostileArchiveException("link '" + name + "' has no target");
            }
            if (target.length() > MAX_LINK_TARGET || target.indexOf('\0') >= 0 || target.indexOf('\\') >= 0) {
                throw new HostileArchiveException("link '" + name + "' has an unsupported target");
            }
            if (target.startsWith("/") || WINDOWS_DRIVE.matcher(target).matches()) {
                throw outside(name, target);
            }
            Path resolved;
            try {
                resolved = root.resolve(relative).getParent().resolve(target).normalize();
            } catch (InvalidPathException e) {
                throw new HostileArchiveException("link '" + name + "' has an unsupported target");
            }
            if (!resolved.startsWith(root)) {
                throw outside(name, target);
            }
            links.put(relative, target);
        }

        /**
         * Creates the links, once each has been followed through the others, as the kernel would,
         * without leaving the tree (a link to "d/../.." is inside by its text, but not if d is a
         * link to "..").
         */
        void finish() throws IOException {
            for (Map.Entry<String, String> link : links.entrySet()) {
                checkResolution(link.getKey(), link.getValue());
            }
            for (Map.Entry<String, String> link : links.entrySet()) {
                Path path = root.resolve(link.getKey());
                Files.createDirectories(path.getParent());
                Files.createSymbolicLink(path, path.getFileSystem().getPath(link.getValue()));
            }
        }

        private void checkResolution(String link, String target) {
            Deque<String> resolved = new ArrayDeque<>();
            Deque<String> remaining = new ArrayDeque<>(Arrays.asList(link.split("/")));
            int hops = 0;
            while (!remaining.isEmpty()) {
                String element = remaining.removeFirst();
                if (element.isEmpty() || element.equals(".")) {
                    continue;
                }
                if (element.equals("..")) {
                    if (resolved.isEmpty()) {
                        throw outside(link, target);
                    }
                    resolved.removeLast();
                    continue;
                }
                resolved.addLast(element);
                String linked = links.get(String.join("/", resolved));
                if (linked != null) {
                    if (++hops > MAX_LINK_HOPS) {
                        throw new HostileArchiveException("link '" + link + "' is part of a loop of links");
                    }
                    resolved.removeLast();
                    List<String> elements = Arrays.asList(linked.split("/"));
                    for (int i = elements.size() - 1; i >= 0; i--) {
                        remaining.addFirst(elements.get(i));
                    }
                }
            }
        }

        /**
         * Checks an entry's name and records what it is, refusing a name used twice (folders
         * aside) or lying below a file or a link; returns it relative to the root, '/'-separated.
         */
        private String place(String name, Kind kind) {
            String relative = relative(name);
            if (relative.isEmpty()) {
                if (kind == Kind.DIRECTORY) {
                    return relative;
                }
                throw new HostileArchiveException("entry '" + name + "' names the code tree itself");
            }
            int slash = -1;
            while ((slash = relative.indexOf('/', slash + 1)) >= 0) {
                String ancestor = relative.substring(0, slash);
                Kind existing = kinds.putIfAbsent(ancestor, Kind.DIRECTORY);
                if (existing == Kind.FILE) {
                    throw new HostileArchiveException("entry '" + name + "' lies below the file '" + ancestor + "'");
                }
                if (existing == Kind.LINK) {
                    throw new HostileArchiveException("entry '" + name + "' lies below the link '" + ancestor + "'");
                }
            }
            Kind existing = kinds.putIfAbsent(relative, kind);
            if (existing == kind && kind != Kind.DIRECTORY) {
                throw new HostileArchiveException("entry '" + name + "' appears more than once");
            }
            if (existing != null && existing != kind) {
                throw new HostileArchiveException("entry '" + name + "' is both a " + existing.label + " and a " + kind.label);
            }
            return relative;
        }

        /** An entry name as a path relative to the root, '/'-separated, "" for the root itself. */
        private String relative(String name) {
            if (name == null || name.isEmpty()) {
                throw new HostileArchiveException("entry without a name");
            }
            if (name.indexOf('\0') >= 0) {
                throw new HostileArchiveException("entry '" + name.replace('\0', '?') + "' has a NUL character in its name");
            }
            // Windows tools write backslashes as separators: read them so, and check the result.
            String slashed = name.replace('\\', '/');
            if (slashed.startsWith("/") || WINDOWS_DRIVE.matcher(slashed).matches()) {
                throw new HostileArchiveException("entry '" + name + "' is an absolute path");
            }
            while (slashed.startsWith("./")) {
                slashed = slashed.substring(2);
            }
            Path resolved;
            try {
                resolved = root.resolve(slashed).normalize();
            } catch (InvalidPathException e) {
                throw new HostileArchiveException("entry '" + name + "' is not a valid path");
            }
            if (!resolved.startsWith(root)) {
                throw new HostileArchiveException("entry '" + name + "' leaves the code tree");
            }
            StringBuilder relative = new StringBuilder();
            for (Path element : root.relativize(resolved)) {
                String part = element.toString();
                if (part.isEmpty()) {
                    continue;
                }
                relative.append(relative.length() == 0 ? "" : "/").append(part);
            }
            return relative.toString();
        }

        /** Copies content into a new file (never through a link), counting what is written. */
        private void write(InputStream content, Path file) throws IOException {
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = content.read(buffer)) != -1) {
                    countWritten(n);
                    out.write(buffer, 0, n);
                }
            }
        }

        private void permissions(Path file, Set<PosixFilePermission> permissions) throws IOException {
            if (posix) {
                Files.setPosixFilePermissions(file, permissions);
            }
        }
    }

    private static HostileArchiveException outside(String link, String target) {
        return new HostileArchiveException("link '" + link + "' points outside the code tree: " + target);
    }

    /** A read of the archive; its failures are the archive's (damaged), unless the source's own. */
    private interface Reading<T> {
        T read() throws IOException;
    }

    private static <T> T reading(Reading<T> step) throws IOException {
        try {
            return step.read();
        } catch (IOException | RuntimeException e) {
            throw unreadable(e);
        }
    }

    /**
     * What a failure to read the archive becomes: the refusal or the source's failure it wraps if
     * any, else a refusal of a damaged archive (commons-compress reports those in many ways).
     */
    private static IOException unreadable(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HostileArchiveException hostile) {
                throw hostile;
            }
            if (t instanceof SourceFailure failure) {
                return failure.getCause();
            }
        }
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        throw new HostileArchiveException("archive is damaged or unsupported: " + detail);
    }

    /** Archive content whose read failures are {@link #unreadable} ones. */
    private static InputStream guarded(InputStream in) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                return reading(in::read);
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return reading(() -> in.read(b, off, len));
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }

    /** A failure of the stream the archive is read from, told apart from a damaged archive. */
    private static final class SourceFailure extends IOException {
        private static final long serialVersionUID = 1L;

        SourceFailure(IOException cause) {
            super(cause.getMessage(), cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    /**
     * Counts (and digests) the bytes read through it, refusing more than a limit. Skips read, so
     * that nothing escapes the count; no mark, so that nothing is counted twice.
     */
    private static final class Metered extends InputStream {
        private final InputStream in;
        private final long limit;
        private final String exceeded;
        private final MessageDigest digest;
        private final boolean source;
        private long count;
        private long window = Long.MAX_VALUE;
        private String windowExceeded;

        /** Until {@link #closeWindow}, at most {@code bytes} more may be read (a header's budget). */
        void openWindow(long bytes, String message) {
            window = saturatedAdd(count, bytes);
            windowExceeded = message;
        }

        void closeWindow() {
            window = Long.MAX_VALUE;
        }

        Metered(InputStream in, long limit, String exceeded, MessageDigest digest, boolean source) {
            this.in = in;
            this.limit = limit;
            this.exceeded = exceeded;
            this.digest = digest;
            this.source = source;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException e) {
                throw source ? new SourceFailure(e) : e;
            }
            if (n > 0) {
                count += n;
                if (count > limit) {
                    throw new HostileArchiveException(exceeded);
                }
                if (count > window) {
                    throw new HostileArchiveException(windowExceeded);
                }
                if (digest != null) {
                    digest.update(b, off, n);
                }
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            if (!source) {
                in.close();
            }
        }
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

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    private static long saturatedMultiply(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long product = a * b;
        return high == 0 && product >= 0 ? product : Long.MAX_VALUE;
    }
}
