package io.cloudplane.api.security;

import io.cloudplane.api.problem.ApiException;
import io.github.bucket4j.TimeMeter;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The limits on a clock the test moves, with the default settings. */
class RateLimitsTest {
    private final ManualClock clock = new ManualClock();
    private final RateLimitSettings defaults = new RateLimitSettings(10, 30, Duration.ofMinutes(1), 5, 3, Duration.ofHours(1), List.of());
    private final RateLimits limits = new RateLimits(defaults, new ClientAddresses(defaults), clock);

    static final class ManualClock implements TimeMeter {
        long nanos = 1_000_000_000L;

        void advance(Duration d) {
            nanos += d.toNanos();
        }

        @Override
        public long currentTimeNanos() {
            return nanos;
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    }

    private static HttpRequest<?> from(String address) {
        return HttpRequest.POST("http://" + address + ":8080/api/v1/sessions", "{}");
    }

    private static Duration refused(Runnable attempt) {
        ApiException e = assertThrows(ApiException.class, attempt::run);
        assertEquals(HttpStatus.TOO_MANY_REQUESTS, e.status());
        assertTrue(e.retryAfter().toSeconds() >= 1, "Retry-After of at least a second: " + e.retryAfter());
        return e.retryAfter();
    }

    private static void times(int n, Consumer<Integer> attempt) {
        for (int i = 0; i < n; i++) {
            int index = i;
            assertDoesNotThrow(() -> attempt.accept(index), "attempt " + (i + 1));
        }
    }

    @Test
    void theEleventhLoginToAnAccountWithinAMinuteIsRefusedUntilTheMinuteIsOver() {
        times(10, i -> limits.login(from("198.51.100." + i), "Ada@Example.com"));
        Duration wait = refused(() -> limits.login(from("198.51.100.99"), "ada@example.com "));
        assertEquals(60, wait.toSeconds(), "the window began with the first attempt");
        assertDoesNotThrow(() -> limits.login(from("198.51.100.99"), "grace@example.com"), "another account is not affected");

        clock.advance(Duration.ofSeconds(59));
        refused(() -> limits.login(from("198.51.100.99"), "ada@example.com"));
        clock.advance(Duration.ofSeconds(1));
        times(10, i -> limits.login(from("198.51.100." + i), "ada@example.com"));
        refused(() -> limits.login(from("198.51.100.1"), "ada@example.com"));
    }

    @Test
    void theThirtyFirstLoginFromAnAddressWithinAMinuteIsRefusedWhateverTheAccount() {
        times(30, i -> limits.login(from("203.0.113.5"), "user" + i + "@example.com"));
        refused(() -> limits.login(from("203.0.113.5"), "fresh@example.com"));
        assertDoesNotThrow(() -> limits.login(from("203.0.113.6"), "fresh@example.com"), "another address is not affected");
        clock.advance(Duration.ofMinutes(1));
        assertDoesNotThrow(() -> limits.login(from("203.0.113.5"), "fresh@example.com"), "reset after the window");
    }

    @Test
    void signUpsAreLimitedPerAddressAndPerEmailForAnHour() {
        times(5, i -> limits.signUp(from("192.0.2.1"), "new" + i + "@example.com"));
        Duration wait = refused(() -> limits.signUp(from("192.0.2.1"), "new9@example.com"));
        assertEquals(3600, wait.toSeconds());
        assertDoesNotThrow(() -> limits.signUp(from("192.0.2.2"), "new9@example.com"));

        times(3, i -> limits.signUp(from("192.0.2." + (10 + i)), "Same@Example.com"));
        refused(() -> limits.signUp(from("192.0.2.20"), "same@example.com"));
        clock.advance(Duration.ofHours(1));
        assertDoesNotThrow(() -> limits.signUp(from("192.0.2.1"), "same@example.com"));
    }

    @Test
    void idleKeysAreForgottenOnceTheirBucketIsFullAgain() {
        KeyedLimit limit = new KeyedLimit("tries", 2, Duration.ofMinutes(1), clock);
        limit.tryAcquire("a");
        limit.tryAcquire("b");
        limit.tryAcquire("b");
        assertTrue(limit.tryAcquire("b").isPresent());
        limit.forgetIdle();
        assertEquals(2, limit.size(), "both used within the window");
        clock.advance(Duration.ofMinutes(1));
        limit.forgetIdle();
        assertEquals(0, limit.size(), "both full again: forgotten, as a new bucket would be the same");
        assertTrue(limit.tryAcquire("b").isEmpty());
    }
}
