package io.cloudplane.infra.files;

import io.cloudplane.infra.config.CloudplaneSettings;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.LinkOption;
import java.nio.file.StandardCopyOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Folders under {@code <data dir>/environments/<envId>/}: {@code code} (a link to one of
 * {@code code-trees/<tree>}), resources, run (pid file and logs).
 */
@Singleton
public class LocalEnvironmentFiles implements EnvironmentFiles {
    private static final Pattern ID = Pattern.compile("[0-9a-fA-F-]{1,64}");
    private static final Pattern TREE = Pattern.compile("initial|[a-z]-[0-9a-fA-F-]{1,64}");
    private static final String TREES = "code-trees";
    private static final String INITIAL_TREE = "initial";
    private final Path root;

    public LocalEnvironmentFiles(CloudplaneSettings settings) {
        this.root = settings.dataDir().resolve("environments");
    }

    @Override
    public void createFolders(String envId) {
        try {
            if (!Files.exists(codeDir(envId), LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(treesDir(envId).resolve(INITIAL_TREE));
                link(envId, INITIAL_TREE);
            }
            Files.createDirectories(resourcesDir(envId));
            Files.createDirectories(runDir(envId));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void deleteFolders(String envId) {
        deleteTree(envDir(envId));
    }

    private static void deleteTree(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean exists(String envId) {
        return Files.exists(envDir(envId));
    }

    @Override
    public Path codeDir(String envId) {
        return envDir(envId).resolve("code");
    }

    @Override
    public Path resourcesDir(String envId) {
        return envDir(envId).resolve("resources");
    }

    @Override
    public Path runDir(String envId) {
        return envDir(envId).resolve("run");
    }

    @Override
    public Path prepareCodeTree(String envId, String tree) {
        if (checkTree(tree).equals(currentCodeTree(envId))) {
            throw new IllegalStateException("code tree " + tree + " is the one environment " + envId + " runs");
        }
        Path dir = treesDir(envId).resolve(tree);
        deleteTree(dir);
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String currentCodeTree(String envId) {
        Path code = codeDir(envId);
        try {
            if (Files.isSymbolicLink(code)) {
                return Files.readSymbolicLink(code).getFileName().toString();
            }
            if (Files.isDirectory(code, LinkOption.NOFOLLOW_LINKS)) {
                // Folders made before code trees existed: the plain folder becomes the first tree.
                Files.createDirectories(treesDir(envId));
                deleteTree(treesDir(envId).resolve(INITIAL_TREE));
                Files.move(code, treesDir(envId).resolve(INITIAL_TREE), StandardCopyOption.ATOMIC_MOVE);
                link(envId, INITIAL_TREE);
                return INITIAL_TREE;
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void activateCodeTree(String envId, String tree) {
        checkTree(tree);
        if (!Files.isDirectory(treesDir(envId).resolve(tree), LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalStateException("environment " + envId + " has no code tree " + tree);
        }
        if (tree.equals(currentCodeTree(envId))) {
            return;
        }
        try {
            link(envId, tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void deleteCodeTree(String envId, String tree) {
        if (checkTree(tree).equals(currentCodeTree(envId))) {
            throw new IllegalStateException("code tree " + tree + " is the one environment " + envId + " runs");
        }
        deleteTree(treesDir(envId).resolve(tree));
    }

    /** Writes a new link beside {@code code} and renames it over {@code code}: readers see old or new, never neither. */
    private void link(String envId, String tree) throws IOException {
        Path code = codeDir(envId);
        Path tmp = code.resolveSibling("code.link-" + UUID.randomUUID());
        Files.createSymbolicLink(tmp, Path.of(TREES, tree));
        try {
            Files.move(tmp, code, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private Path treesDir(String envId) {
        return envDir(envId).resolve(TREES);
    }

    private static String checkTree(String tree) {
        if (tree == null || !TREE.matcher(tree).matches()) {
            throw new IllegalArgumentException("not a code tree name: " + tree);
        }
        return tree;
    }

    private Path envDir(String envId) {
        if (!ID.matcher(envId).matches()) {
            throw new IllegalArgumentException("not an environment id: " + envId);
        }
        return root.resolve(envId);
    }
}
