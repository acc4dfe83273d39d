package io.cloudplane.api.sftp;

import io.cloudplane.infra.sftp.SftpSettings;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed SFTP logins per account and per source address ({@code cloudplane.sftp.failed-logins-per-*}
 * within {@code failed-login-window}), in bucket4j token buckets kept in memory like
 * {@code api.security.RateLimits}: a failure takes a token; with no token left, a login is refused
 * before its password or key is looked at, until the window refills the bucket.
 */
@Singleton
public class SftpFailedLogins {
    private final Buckets perAccount;
    private final Buckets perAddress;

    @Inject
    public SftpFailedLogins(SftpSettings settings) {
        this(settings, TimeMeter.SYSTEM_NANOTIME);
    }

    SftpFailedLogins(SftpSettings settings, TimeMeter clock) {
        this.perAccount = new Buckets(settings.failedLoginsPerAccount(), settings.failedLoginWindow(), clock);
        this.perAddress = new Buckets(settings.failedLoginsPerAddress(), settings.failedLoginWindow(), clock);
    }

    /** Whether this account or this address has used up its failures (null email: the address only). */
    public boolean blocked(String email, String address) {
        return perAddress.exhausted(address) || (email != null && perAccount.exhausted(normalized(email)));
    }

    public void failed(String email, String address) {
        perAddress.take(address);
        if (email != null) {
            perAccount.take(normalized(email));
        }
    }

    /** Drops the buckets that are full again (a new one would be the same). */
    void forgetIdle() {
        perAccount.forgetIdle();
        perAddress.forgetIdle();
    }

    private static String normalized(String email) {
        return email.trim().toLowerCase(Locale.ROOT);
    }

    private static final class Buckets {
        private final int limit;
        private final Duration window;
        private final TimeMeter clock;
        private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

        Buckets(int limit, Duration window, TimeMeter clock) {
            this.limit = limit;
            this.window = window;
            this.clock = clock;
        }

        boolean exhausted(String key) {
            Bucket bucket = buckets.get(key);
            return bucket != null && bucket.getAvailableTokens() < 1;
        }

        void take(String key) {
            buckets.computeIfAbsent(key, k -> Bucket.builder()
                    .addLimit(l -> l.capacity(limit).refillIntervally(limit, window))
                    .withCustomTimePrecision(clock)
                    .build()).tryConsume(1);
        }

        void forgetIdle() {
            buckets.forEach((key, ignored) -> buckets.computeIfPresent(key, (k, b) -> b.getAvailableTokens() >= limit ? null : b));
        }
    }
}
