package io.cloudplane.infra.files;

import io.cloudplane.infra.config.CloudplaneSettings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Swapping an environment's resource folder on a real file system: in, back, and for good, each step retried. */
class ResourcesSwapTest {
    @TempDir
    Path dataDir;
    private LocalEnvironmentFiles files;
    private ResourcesSwap swap;
    private String env;
    private Path resources;

    @BeforeEach
    void setUp() throws Exception {
        files = new LocalEnvironmentFiles(new CloudplaneSettings(dataDir.toString()));
        swap = new ResourcesSwap(files);
        env = UUID.randomUUID().toString();
        files.createFolders(env);
        resources = files.resourcesDir(env);
        Files.writeString(resources.resolve("logo.svg"), "old");
    }

    private Path incoming(String id) throws Exception {
        Path in = swap.prepareIncoming(env, id);
        Files.createDirectories(in.resolve("docs"));
        Files.writeString(in.resolve("docs/guide.txt"), "new");
        return in;
    }

    @Test
    void aSwapPutsTheIncomingFolderInPlaceAndKeepsTheOldOneUntilDropped() throws Exception {
        incoming("r1");
        assertFalse(swap.swappedIn(env, "r1"));
        swap.swapIn(env, "r1");
        assertTrue(swap.swappedIn(env, "r1"), "a retried step sees that the swap is done");
        assertEquals("new", Files.readString(resources.resolve("docs/guide.txt")));
        assertFalse(Files.exists(resources.resolve("logo.svg")));

        swap.dropKept(env, "r1");
        swap.dropKept(env, "r1"); // idempotent
        assertEquals(List.of("resources"), siblings());
    }

    @Test
    void revertingPutsTheOldFolderBackAndDropsWhatCameInWhereverTheSwapStopped() throws Exception {
        incoming("r2");
        swap.swapIn(env, "r2");
        swap.revert(env, "r2");
        swap.revert(env, "r2"); // idempotent
        assertEquals("old", Files.readString(resources.resolve("logo.svg")));
        assertFalse(Files.exists(resources.resolve("docs")));
        assertEquals(List.of("resources"), siblings());

        incoming("r3"); // never swapped in
        swap.revert(env, "r3");
        assertEquals("old", Files.readString(resources.resolve("logo.svg")));
        assertEquals(List.of("resources"), siblings());
    }

    @Test
    void preparingAgainEmptiesWhatAnEarlierAttemptLeft() throws Exception {
        Path first = incoming("r4");
        Files.writeString(first.resolve("half-written"), "x");
        Path again = swap.prepareIncoming(env, "r4");
        assertFalse(Files.exists(again));
        swap.dropIncoming(env, "r4");
        assertEquals(List.of("resources"), siblings());
    }

    @Test
    void aTreeIsDeletedWithoutFollowingItsLinksAndAMissingOneIsNoError() throws Exception {
        Path outside = Files.createDirectories(dataDir.resolve("outside"));
        Files.writeString(outside.resolve("keep.txt"), "keep");
        Path tree = Files.createDirectories(dataDir.resolve("tree/a/b"));
        Files.writeString(tree.resolve("file"), "x");
        Files.createSymbolicLink(dataDir.resolve("tree/link"), outside);

        FileTrees.delete(dataDir.resolve("tree"));
        FileTrees.delete(dataDir.resolve("tree"));
        assertFalse(Files.exists(dataDir.resolve("tree")));
        assertEquals("keep", Files.readString(outside.resolve("keep.txt")), "a link's target is left alone");
    }

    private List<String> siblings() throws Exception {
        try (var list = Files.list(resources.getParent())) {
            return list.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("resources")).sorted().toList();
        }
    }
}
