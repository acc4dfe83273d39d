package io.cloudplane.api.sftp;

import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * What one session sees: a virtual root holding exactly {@code /code} and {@code /resources}, mapped
 * to the environment's folders. The client's path is resolved here, as text, before it becomes a
 * local path: {@code ..} above the root, any other top-level name, and any symbolic link on the way
 * (the one link followed is {@code code} itself, which is how the current code tree is reached) fail
 * with a status that says why. Local paths never reach the client: {@link #virtualOf} turns them back.
 */
final class SftpView {
    enum Area { ROOT, CODE, RESOURCES }

    static final String CODE = "code";
    static final String RESOURCES = "resources";

    /** An empty folder with empty {@code code} and {@code resources} in it: what {@code /} lists. */
    private final Path root;
    private final Path codeLink;
    private final Path resources;
    private final boolean codeWritable;
    /** Every code tree this session reached through the link (a release may switch it meanwhile). */
    private final Set<Path> codeTrees = new CopyOnWriteArraySet<>();

    SftpView(Path root, Path codeLink, Path resources, boolean codeWritable) {
        this.root = root;
        this.codeLink = codeLink;
        this.resources = resources;
        this.codeWritable = codeWritable;
    }

    boolean codeWritable() {
        return codeWritable;
    }

    /** The code tree {@code code} points to now. */
    Path codeTree() throws IOException {
        Path tree;
        try {
            tree = codeLink.toRealPath();
        } catch (IOException e) {
            throw new SftpException(SftpConstants.SSH_FX_NO_SUCH_FILE, "/code: this environment has no code folder");
        }
        codeTrees.add(tree);
        return tree;
    }

    Path resourcesTree() throws IOException {
        try {
            return resources.toRealPath();
        } catch (IOException e) {
            throw new SftpException(SftpConstants.SSH_FX_NO_SUCH_FILE, "/resources: this environment has no resources folder");
        }
    }

    /** The local path of a client's path (relative paths are relative to {@code /}). */
    Path resolve(String remote) throws IOException {
        Deque<String> names = new ArrayDeque<>();
        for (String name : (remote == null ? "" : remote).split("/")) {
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (names.isEmpty()) {
                    throw denied(remote + ": .. leaves the environment (/ is its root)");
                }
                names.removeLast();
                continue;
            }
            if (name.indexOf('\0') >= 0) {
                throw new SftpException(SftpConstants.SSH_FX_INVALID_FILENAME, "a file name cannot hold a NUL character");
            }
            names.addLast(name);
        }
        if (names.isEmpty()) {
            return root;
        }
        String top = names.removeFirst();
        Path base;
        if (top.equals(CODE)) {
            base = codeTree();
        } else if (top.equals(RESOURCES)) {
            base = resourcesTree();
        } else {
            throw denied("/" + top + " is outside this environment: it holds only /code and /resources");
        }
        Path local = base;
        String shown = "/" + top;
        for (String name : names) {
            local = local.resolve(name);
            shown = shown + "/" + name;
            if (Files.isSymbolicLink(local)) {
                throw denied(shown + " is a symbolic link: links are not followed");
            }
        }
        return local;
    }

    Area areaOf(Path local) {
        if (local.startsWith(resources) || underResources(local)) {
            return Area.RESOURCES;
        }
        for (Path tree : codeTrees) {
            if (local.startsWith(tree)) {
                return Area.CODE;
            }
        }
        return Area.ROOT;
    }

    /** {@code /}, {@code /code} or {@code /resources} themselves: never written, removed or renamed. */
    boolean isTop(Path local) {
        if (local.equals(root) || codeTrees.contains(local)) {
            return true;
        }
        try {
            return local.equals(resourcesTree()) || local.equals(resources);
        } catch (IOException e) {
            return false;
        }
    }

    /** Throws permission denied unless the client may change {@code local}. */
    void requireWritable(Path local, String what) throws IOException {
        Area area = areaOf(local);
        if (area == Area.ROOT || isTop(local)) {
            throw denied(what + ": / is read-only; files go in /code and /resources");
        }
        if (area == Area.CODE && !codeWritable) {
            throw denied(what + ": /code is read-only in staging and production (their code arrives only by releases)");
        }
    }

    /** The client's path of a local path; a path outside the view is shown by its name only, never its place. */
    String virtualOf(Path local) {
        if (local.startsWith(root)) {
            return "/" + slashes(root.relativize(local));
        }
        for (Path tree : codeTrees) {
            if (local.startsWith(tree)) {
                return join("/code", tree.relativize(local));
            }
        }
        try {
            Path tree = resourcesTree();
            if (local.startsWith(tree)) {
                return join("/resources", tree.relativize(local));
            }
        } catch (IOException e) {
            // not there: fall through
        }
        Path name = local.getFileName();
        return name == null ? "/" : "/" + name;
    }

    private boolean underResources(Path local) {
        try {
            return local.startsWith(resourcesTree());
        } catch (IOException e) {
            return false;
        }
    }

    private static String join(String top, Path relative) {
        String rest = slashes(relative);
        return rest.isEmpty() ? top : top + "/" + rest;
    }

    private static String slashes(Path relative) {
        return relative.toString().replace(relative.getFileSystem().getSeparator(), "/");
    }

    static SftpException denied(String message) {
        return new SftpException(SftpConstants.SSH_FX_PERMISSION_DENIED, message);
    }

    static boolean exists(Path local) {
        return Files.exists(local, LinkOption.NOFOLLOW_LINKS);
    }
}
