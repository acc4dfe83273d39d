package io.cloudplane.infra.code;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SaturatingTest {

    @Test
    void sumsAndProductsStopAtTheLargestLongInsteadOfWrapping() {
        assertEquals(5, Saturating.add(2, 3));
        assertEquals(Long.MAX_VALUE, Saturating.add(Long.MAX_VALUE, 1));
        assertEquals(Long.MAX_VALUE, Saturating.add(Long.MAX_VALUE - 1, Long.MAX_VALUE - 1));
        assertEquals(6, Saturating.multiply(2, 3));
        assertEquals(Long.MAX_VALUE, Saturating.multiply(Long.MAX_VALUE / 2 + 1, 2));
        assertEquals(Long.MAX_VALUE, Saturating.multiply(Integer.MAX_VALUE + 2L, 16 * 1024 * 1024 * 1024L));
    }
}
