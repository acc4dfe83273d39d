package io.cloudplane.infra.temporal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A key goes over plain gRPC only to this machine's loopback (another process's embedded Temporal), else over TLS. */
class TemporalFactoryTest {
    @Test
    void onlyLoopbackTargetsGetTheKeyWithoutTls() {
        assertTrue(TemporalFactory.onLoopback("127.0.0.1:7233"));
        assertTrue(TemporalFactory.onLoopback("127.0.1.1:7233"));
        assertTrue(TemporalFactory.onLoopback("localhost:7233"));
        assertFalse(TemporalFactory.onLoopback("temporal.internal:7233"));
        assertFalse(TemporalFactory.onLoopback("10.0.0.7:7233"));
        assertFalse(TemporalFactory.onLoopback("127.example.com:7233"));
    }
}
