package io.cloudplane.infra.runtime;

import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.files.LocalEnvironmentFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stop of the control plane racing the starts of servers (as the server supervisor's boot-time
 * starts do): once {@link LocalProcessRuntime#stopAll} has begun no server starts, and none of
 * those started before is left running.
 */
class LocalProcessRuntimeShutdownTest {
    /** At most this many starts per thread: a runtime that never refuses fails here instead of looping. */
    private static final int MAX_STARTS_PER_THREAD = 150;

    @TempDir
    Path dataDir;

    /** A token on each server's command line, so that this test's processes are told apart from any other. */
    private final String token = Long.toString(100_000 + Math.floorMod(System.nanoTime(), 800_000));
    private final List<ServerExitedEvent> exits = new CopyOnWriteArrayList<>();

    @AfterEach
    void killLeftovers() {
        ours().forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void noServerStartsOnceStopAllHasBegunAndNoneStartedBeforeIsLeft() throws Exception {
        LocalEnvironmentFiles files = new LocalEnvironmentFiles(new CloudplaneSettings(dataDir.toString()));
        LocalProcessRuntime runtime = new LocalProcessRuntime(files, exits::add);
        int threads = 4;
        CountDownLatch someStarted = new CountDownLatch(8);
        AtomicInteger started = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> starters = new CopyOnWriteArrayList<>();
            for (int t = 0; t < threads; t++) {
                starters.add(pool.submit(() -> {
                    for (int i = 0; i < MAX_STARTS_PER_THREAD; i++) {
                        String envId = UUID.randomUUID().toString();
                        files.createFolders(envId);
                        try {
                            runtime.start(spec(envId));
                            started.incrementAndGet();
                            someStarted.countDown();
                        } catch (ShuttingDownException e) {
                            refused.incrementAndGet();
                            return null;
                        }
                    }
                    throw new AssertionError("the runtime went on starting servers after stopAll");
                }));
            }
            assertTrue(someStarted.await(60, TimeUnit.SECONDS), "the first servers did not start");
            runtime.stopAll();
            for (Future<?> starter : starters) {
                starter.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            // so that a runtime that goes on starting has stopped before the leftovers are killed
            pool.awaitTermination(60, TimeUnit.SECONDS);
        }

        assertEquals(threads, refused.get(), "each starting thread ends on a refusal");
        assertTrue(started.get() >= 8, "started " + started.get());
        assertEquals(List.of(), ours().stream().map(ProcessHandle::pid).toList(),
                "server processes left running after stopAll (" + started.get() + " were started)");
        assertEquals(List.of(), exits, "a stop at shutdown is not a crash");

        String late = UUID.randomUUID().toString();
        files.createFolders(late);
        ShuttingDownException refusal = assertThrows(ShuttingDownException.class, () -> runtime.start(spec(late)));
        assertTrue(refusal.getMessage().contains(late), refusal.getMessage());
        assertThrows(ShuttingDownException.class, () -> runtime.startUpdate(spec(late)));
        assertEquals(List.of(), ours(), "a refused start launched a process");
    }

    private ServerSpec spec(String envId) {
        return new ServerSpec(envId, new ServerVersion("1.0.0", "sleep " + token, null), null,
                "jdbc:postgresql://127.0.0.1:1/none", "app", "app-password");
    }

    /** This test's server processes that are still alive. */
    private List<ProcessHandle> ours() {
        return ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().arguments().map(a -> a.length == 1 && a[0].equals(token)).orElse(false))
                .toList();
    }
}
