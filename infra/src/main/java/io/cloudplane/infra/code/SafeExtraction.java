package io.cloudplane.infra.code;

import io.cloudplane.infra.code.CodeArchives.HostileArchiveException;
import io.cloudplane.infra.code.CodeArchives.Limits;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One unpacking of an untrusted archive into an empty folder, whatever its format: the entries are
 * handed in one by one, and every name, link and size is checked before anything is written.
 * Nothing is ever written outside the folder, sizes are counted on the bytes actually written, and
 * symbolic links are only created by {@link #finish}, once every other entry is out, after checking
 * that no chain of them leads out of the tree, so that none can be written through.
 */
final class SafeExtraction {
    /** Longest symbolic link target accepted (Linux's PATH_MAX). */
    static final int MAX_LINK_TARGET = 4096;
    /** How many links one path may go through before it is taken for a loop (Linux's limit). */
    private static final int MAX_LINK_HOPS = 40;
    private static final int OWNER_EXECUTE = 0100;
    private static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> NOT_EXECUTABLE = PosixFilePermissions.fromString("rw-r--r--");
    private static final Pattern WINDOWS_DRIVE = Pattern.compile("^[A-Za-z]:.*", Pattern.DOTALL);

    private enum Kind {
        DIRECTORY("folder"), FILE("file"), LINK("link");

        private final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    private final Path root;
    private final Limits limits;
    private final boolean posix;
    /** What each path written so far is, relative to the root with '/' separators. */
    private final Map<String, Kind> kinds = new HashMap<>();
    /** Symbolic links, created at the end: relative path to link target. */
    private final Map<String, String> links = new LinkedHashMap<>();
    private int entries;
    private long written;

    /** Starts an unpacking into {@code target}, created if missing; it must be empty. */
    SafeExtraction(Path target, Limits limits) throws IOException {
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

    Limits limits() {
        return limits;
    }

    /** Counts one more entry against the limit. */
    void count() {
        entries++;
        if (entries > limits.maxEntries()) {
            throw new HostileArchiveException("more than " + limits.maxEntries() + " entries");
        }
    }

    /** Counts bytes written against the limit of the unpacked size. */
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

    /** A regular file: 0755 if its mode lets its owner execute it, else 0644. */
    void file(String name, int mode, InputStream content) throws IOException {
        Path file = root.resolve(place(name, Kind.FILE));
        Files.createDirectories(file.getParent());
        write(content, file);
        permissions(file, (mode & OWNER_EXECUTE) != 0 ? EXECUTABLE : NOT_EXECUTABLE);
    }

    /** A hard link becomes a copy of a file extracted before it. */
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

    /** A symbolic link, checked now by its text and created by {@link #finish}. */
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

    private static HostileArchiveException outside(String link, String target) {
        return new HostileArchiveException("link '" + link + "' points outside the code tree: " + target);
    }
}
