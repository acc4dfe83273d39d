package io.cloudplane.infra.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A postmaster that outlived the process that started it. zonky starts PostgreSQL through
 * {@code pg_ctl}, which detaches it, so a SIGKILLed Cloudplane leaves its postmaster running on the
 * data directory; a new postmaster on that directory then refuses to start (its lock file,
 * {@code postmaster.pid}, names a live server) and zonky gives up after its start-up wait.
 *
 * <p>Before starting, the embedded server asks this class to stop such an orphan: a live process
 * whose ID {@code postmaster.pid} holds, which is a {@code postgres} executable started with
 * {@code -D} on this very directory. It is only an orphan if no live process holds zonky's own lock
 * ({@code epg-lock}) on the directory, since that lock is released only when its holder dies;
 * a live holder means another Cloudplane is using the directory, and the start is refused.
 *
 * <p>The orphan gets a fast shutdown (SIGINT: sessions are rolled back, the server checkpoints and
 * exits), then an immediate one (SIGQUIT), then SIGKILL for it and its children as the last resort.
 */
final class OrphanedPostmaster {
    private static final Logger LOG = LoggerFactory.getLogger(OrphanedPostmaster.class);
    static final String ZONKY_LOCK = "epg-lock";
    private static final Duration FAST_SHUTDOWN = Duration.ofSeconds(20);
    private static final Duration IMMEDIATE_SHUTDOWN = Duration.ofSeconds(5);

    private OrphanedPostmaster() {
    }

    /** Stops the orphaned postmaster on {@code dataDir}, if there is one; refuses if a live process still owns the directory. */
    static void stopIfAny(Path dataDir) {
        Optional<ProcessHandle> postmaster = find(dataDir);
        if (postmaster.isEmpty()) {
            return;
        }
        requireNoLiveOwner(dataDir, postmaster.get());
        ProcessHandle orphan = postmaster.get();
        LOG.warn("A PostgreSQL server (PID {}) from a previous run still holds {}: stopping it before starting again", orphan.pid(), dataDir);
        List<ProcessHandle> children = orphan.children().toList();
        if (signal(orphan, "INT") && exited(orphan, FAST_SHUTDOWN)) {
            LOG.info("The previous PostgreSQL server (PID {}) stopped after a fast shutdown", orphan.pid());
            return;
        }
        if (signal(orphan, "QUIT") && exited(orphan, IMMEDIATE_SHUTDOWN)) {
            LOG.warn("The previous PostgreSQL server (PID {}) stopped after an immediate shutdown", orphan.pid());
            return;
        }
        LOG.warn("The previous PostgreSQL server (PID {}) did not stop: killing it and its {} children", orphan.pid(), children.size());
        orphan.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        if (!exited(orphan, IMMEDIATE_SHUTDOWN)) {
            throw new IllegalStateException("The PostgreSQL server (PID " + orphan.pid() + ") that holds " + dataDir + " could not be stopped");
        }
    }

    /** The live {@code postgres} process that {@code dataDir/postmaster.pid} names, if it serves this directory. */
    static Optional<ProcessHandle> find(Path dataDir) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        List<String> lines;
        try {
            lines = Files.exists(pidFile) ? Files.readAllLines(pidFile) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + pidFile, e);
        }
        if (lines.size() < 2 || !lines.get(0).trim().matches("\\d+")) {
            return Optional.empty();
        }
        long pid = Long.parseLong(lines.get(0).trim());
        if (pid == ProcessHandle.current().pid()) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(process -> sameDirectory(Path.of(lines.get(1).trim()), dataDir))
                .filter(process -> servesDirectory(process, dataDir));
    }

    /** A postmaster's command line is {@code .../postgres -D <dir> ...} (zonky's pg_ctl start). */
    private static boolean servesDirectory(ProcessHandle process, Path dataDir) {
        ProcessHandle.Info info = process.info();
        boolean postgres = info.command().map(command -> Path.of(command).getFileName().toString().equals("postgres")).orElse(false);
        String[] arguments = info.arguments().orElse(new String[0]);
        for (int i = 0; postgres && i + 1 < arguments.length; i++) {
            if (arguments[i].equals("-D") && sameDirectory(Path.of(arguments[i + 1]), dataDir)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameDirectory(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    /**
     * zonky holds an OS file lock on {@code epg-lock} for as long as its process lives; if someone
     * holds it now, the postmaster is not an orphan but another live process's server.
     */
    private static void requireNoLiveOwner(Path dataDir, ProcessHandle postmaster) {
        Path lockFile = dataDir.resolve(ZONKY_LOCK);
        try (RandomAccessFile file = new RandomAccessFile(lockFile.toFile(), "rw")) {
            FileLock lock = file.getChannel().tryLock();
            if (lock == null) {
                throw new IllegalStateException("Another running process uses the embedded PostgreSQL in " + dataDir
                        + " (its server is PID " + postmaster.pid() + "): is another Cloudplane running on the same data directory?");
            }
            lock.release();
        } catch (OverlappingFileLockException e) {
            throw new IllegalStateException("This process already runs the embedded PostgreSQL in " + dataDir, e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot check the lock " + lockFile, e);
        }
    }

    /** Java signals other processes only with SIGTERM and SIGKILL; PostgreSQL's fast and immediate shutdowns are SIGINT and SIGQUIT. */
    private static boolean signal(ProcessHandle process, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0;
        } catch (IOException e) {
            LOG.warn("Cannot run kill -s {} {}: {}", signal, process.pid(), e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean exited(ProcessHandle process, Duration within) {
        CompletableFuture<ProcessHandle> exit = process.onExit();
        try {
            exit.get(within.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return !process.isAlive();
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }
}
