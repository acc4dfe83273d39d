package io.cloudplane.infra.runtime;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoopbackPortsTest {

    @Test
    void thePreferredPortIfFreeElseAnother() throws IOException {
        int free = LoopbackPorts.choose(null);
        assertTrue(free > 0);
        assertTrue(LoopbackPorts.isFree(free));
        assertEquals(free, LoopbackPorts.choose(free), "a stable preview URL where the port is still free");

        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertFalse(LoopbackPorts.isFree(taken.getLocalPort()));
            int other = LoopbackPorts.choose(taken.getLocalPort());
            assertNotEquals(taken.getLocalPort(), other);
            assertTrue(other > 0);
        }
        assertTrue(LoopbackPorts.choose(0) > 0, "no preference");
    }

    /**
     * Chosen below Linux's ephemeral range, where no outgoing connection takes a port between the
     * choice and the server's bind, and never twice within the hold, even by concurrent starts.
     */
    @Test
    void portsComeFromBelowTheEphemeralRangeAndAreNotHandedOutTwice() throws Exception {
        int threads = 8;
        int each = 50;
        java.util.Set<Integer> ports = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger handedOut = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        ports.add(LoopbackPorts.choose(null));
                        handedOut.incrementAndGet();
                    }
                    return null;
                }));
            }
            go.countDown();
            for (var f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(threads * each, handedOut.get());
        assertEquals(threads * each, ports.size(), "a port was handed out twice within the hold");
        assertTrue(ports.stream().allMatch(p -> p >= LoopbackPorts.LOW && p <= LoopbackPorts.HIGH), "outside " + LoopbackPorts.LOW
                + "-" + LoopbackPorts.HIGH + ": " + ports.stream().filter(p -> p < LoopbackPorts.LOW || p > LoopbackPorts.HIGH).toList());
        int[] ephemeral = java.util.Arrays.stream(java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0)
                .trim().split("\\s+")).mapToInt(Integer::parseInt).toArray();
        assertTrue(LoopbackPorts.HIGH < ephemeral[0], "this machine's ephemeral range starts at " + ephemeral[0]);
    }
}
