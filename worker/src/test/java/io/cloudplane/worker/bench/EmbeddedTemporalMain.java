package io.cloudplane.worker.bench;

import io.cloudplane.infra.embedded.EmbeddedTemporalServer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

/**
 * The embedded Temporal alone, in its own JVM, so that {@link LifecycleScaleBenchmark} can weigh the
 * worker's heap apart from the server's. Prints {@code TARGET host:port}; then answers each
 * {@code heap} line on stdin with {@code HEAP <bytes used after GC>}; exits when stdin closes.
 */
public final class EmbeddedTemporalMain {
    private EmbeddedTemporalMain() {
    }

    public static void main(String[] args) throws Exception {
        try (EmbeddedTemporalServer server = new EmbeddedTemporalServer(0)) {
            System.out.println("TARGET " + server.target());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("heap")) {
                    System.out.println("HEAP " + LifecycleScaleBenchmark.usedHeapAfterGc());
                    System.out.flush();
                }
            }
        }
        System.exit(0);
    }
}
