package io.cloudplane.api.security;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most {@code limit} attempts per {@code window} for each key (an address, an email): a bucket4j
 * token bucket per key, filled whole again at the end of each window from the key's first attempt.
 * Full buckets are dropped by {@link #forgetIdle()}, so memory follows the keys active within a
 * window, not every key ever seen.
 */
final class KeyedLimit {
    private final String name;
    private final int limit;
    private final Duration window;
    private final TimeMeter clock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    KeyedLimit(String name, int limit, Duration window, TimeMeter clock) {
        this.name = name;
        this.limit = limit;
        this.window = window;
        this.clock = clock;
    }

    String name() {
        return name;
    }

    /** Takes one attempt for {@code key}: empty if allowed, else how long until the next one is. */
    Optional<Duration> tryAcquire(String key) {
        ConsumptionProbe[] probe = new ConsumptionProbe[1];
        buckets.compute(key, (k, bucket) -> {
            Bucket b = bucket != null ? bucket : Bucket.builder()
                    .addLimit(l -> l.capacity(limit).refillIntervally(limit, window))
                    .withCustomTimePrecision(clock)
                    .build();
            probe[0] = b.tryConsumeAndReturnRemaining(1);
            return b;
        });
        return probe[0].isConsumed() ? Optional.empty() : Optional.of(Duration.ofNanos(probe[0].getNanosToWaitForRefill()));
    }

    /** Drops the buckets that are full again: a new one would be the same. */
    void forgetIdle() {
        buckets.forEach((key, ignored) -> buckets.computeIfPresent(key, (k, b) -> b.getAvailableTokens() >= limit ? null : b));
    }

    int size() {
        return buckets.size();
    }
}
