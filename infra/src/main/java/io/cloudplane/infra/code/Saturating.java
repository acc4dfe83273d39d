package io.cloudplane.infra.code;

/** Sums and products of limits that stop at {@link Long#MAX_VALUE} instead of wrapping negative. */
final class Saturating {
    private Saturating() {
    }

    static long add(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    static long multiply(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long product = a * b;
        return high == 0 && product >= 0 ? product : Long.MAX_VALUE;
    }
}
