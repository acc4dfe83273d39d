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
}
