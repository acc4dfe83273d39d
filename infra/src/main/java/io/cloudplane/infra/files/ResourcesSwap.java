package io.cloudplane.infra.files;

import jakarta.inject.Singleton;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Replaces an environment's resource folder by another in two renames, keeping the old one aside
 * until the caller knows whether to keep the new one. A swap has an ID (a restore's): the incoming
 * folder is {@code resources.restore-<id>}, the one kept aside {@code resources.kept-<id>}, both
 * beside the resource folder, so that every step can be retried and a crashed attempt is found
 * where it stopped.
 */
@Singleton
public class ResourcesSwap {
    private final EnvironmentFiles files;

    public ResourcesSwap(EnvironmentFiles files) {
        this.files = files;
    }

    /** True once {@link #swapIn} has run: the old folder is aside and the incoming one is in place. */
    public boolean swappedIn(String envId, String swapId) {
        return Files.exists(kept(envId, swapId)) && !Files.exists(incoming(envId, swapId));
    }

    /** Where the incoming files go, emptied of anything an earlier attempt left there (the folder itself is not made). */
    public Path prepareIncoming(String envId, String swapId) throws IOException {
        Path incoming = incoming(envId, swapId);
        FileTrees.delete(incoming);
        return incoming;
    }

    public void dropIncoming(String envId, String swapId) throws IOException {
        FileTrees.delete(incoming(envId, swapId));
    }

    /** Puts the resource folder aside (if there is one) and the incoming folder in its place. */
    public void swapIn(String envId, String swapId) throws IOException {
        Path dir = files.resourcesDir(envId);
        if (Files.exists(dir)) {
            Files.move(dir, kept(envId, swapId), StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(incoming(envId, swapId), dir, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Puts the folder kept aside back in place, if it was swapped, and drops whatever came in. Idempotent. */
    public void revert(String envId, String swapId) throws IOException {
        Path dir = files.resourcesDir(envId);
        Path kept = kept(envId, swapId);
        if (Files.exists(kept)) {
            FileTrees.delete(dir);
            Files.move(kept, dir, StandardCopyOption.ATOMIC_MOVE);
        }
        FileTrees.delete(incoming(envId, swapId));
    }

    /** The swap is final: the folder kept aside goes. Idempotent. */
    public void dropKept(String envId, String swapId) throws IOException {
        FileTrees.delete(kept(envId, swapId));
    }

    private Path incoming(String envId, String swapId) {
        return sibling(envId, ".restore-" + swapId);
    }

    private Path kept(String envId, String swapId) {
        return sibling(envId, ".kept-" + swapId);
    }

    private Path sibling(String envId, String suffix) {
        Path dir = files.resourcesDir(envId);
        return dir.resolveSibling(dir.getFileName() + suffix);
    }
}
