package io.cloudplane.infra.files;

import java.nio.file.Path;

/** An environment's code and resource folders, and where its server writes logs. */
public interface EnvironmentFiles {
    void createFolders(String envId);

    void deleteFolders(String envId);

    boolean exists(String envId);

    /**
     * Where the server reads its code: a symbolic link to the current code tree, so that new code
     * replaces old in one atomic rename and a server that is running sees it at its next read.
     */
    Path codeDir(String envId);

    /** A fresh, empty code tree named {@code tree} (anything left under that name is removed first). */
    Path prepareCodeTree(String envId, String tree);

    /** The name of the tree {@link #codeDir} points to, or null when the environment has no folders. */
    String currentCodeTree(String envId);

    /** Points {@link #codeDir} at {@code tree} in one atomic rename; idempotent. */
    void activateCodeTree(String envId, String tree);

    /** Removes a tree that is not the current one; removing what is gone is not an error. */
    void deleteCodeTree(String envId, String tree);

    Path resourcesDir(String envId);

    /** The bytes of the environment's resource files (0 when it has none). */
    default long resourcesBytes(String envId) {
        Path dir = resourcesDir(envId);
        if (!java.nio.file.Files.isDirectory(dir)) {
            return 0;
        }
        try (var walk = java.nio.file.Files.walk(dir)) {
            return walk.filter(java.nio.file.Files::isRegularFile).mapToLong(p -> {
                try {
                    return java.nio.file.Files.size(p);
                } catch (java.io.IOException e) {
                    return 0; // removed while counted
                }
            }).sum();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    Path runDir(String envId);
}
