package io.cloudplane.infra.embedded;

import java.nio.file.Path;

/**
 * Starts the embedded PostgreSQL on the data directory given as its argument, prints
 * {@code READY <port> <postmaster PID>} and waits to be killed: the all-in-one's start path, in a JVM
 * that a test can SIGKILL.
 */
public final class EmbeddedPostgresChild {
    private EmbeddedPostgresChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        EmbeddedPostgresServer server = EmbeddedPostgresServer.startIfAbsent(dataDir, 0);
        long postmaster = OrphanedPostmaster.find(dataDir).orElseThrow().pid();
        System.out.println("READY " + server.port() + " " + postmaster);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
