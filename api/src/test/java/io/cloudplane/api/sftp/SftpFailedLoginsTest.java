package io.cloudplane.api.sftp;

import io.cloudplane.infra.sftp.SftpSettings;
import io.github.bucket4j.TimeMeter;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SftpFailedLoginsTest {
    private long nanos;
    private final TimeMeter clock = new TimeMeter() {
        @Override
        public long currentTimeNanos() {
            return nanos;
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    };

    private static SftpSettings settings(int perAccount, int perAddress) {
        return new SftpSettings(true, 0, "127.0.0.1", "localhost", null, null, 1024, Duration.ofMinutes(10), 5, Duration.ofHours(12),
                perAccount, perAddress, Duration.ofMinutes(15), Duration.ofSeconds(5), null, null, null);
    }

    @Test
    void anAddressPastItsFailuresIsBlockedForEveryAccountUntilTheWindowPasses() {
        SftpFailedLogins limits = new SftpFailedLogins(settings(100, 3), clock);
        for (int i = 0; i < 3; i++) {
            assertFalse(limits.blocked("a" + i + "@example.com", "10.0.0.1"));
            limits.failed("a" + i + "@example.com", "10.0.0.1");
        }
        assertTrue(limits.blocked("someone-else@example.com", "10.0.0.1"));
        assertTrue(limits.blocked(null, "10.0.0.1"), "a malformed user name is blocked by its address alone");
        assertFalse(limits.blocked("someone-else@example.com", "10.0.0.2"));
        nanos += Duration.ofMinutes(15).toNanos() - 1;
        assertTrue(limits.blocked("someone-else@example.com", "10.0.0.1"));
        nanos += 1;
        assertFalse(limits.blocked("someone-else@example.com", "10.0.0.1"));
    }

    @Test
    void anAccountPastItsFailuresIsBlockedFromEveryAddressWhateverTheCase() {
        SftpFailedLogins limits = new SftpFailedLogins(settings(2, 100), clock);
        limits.failed("Olive@Example.com", "10.0.0.1");
        assertFalse(limits.blocked("olive@example.com", "10.0.0.9"));
        limits.failed("olive@example.com", "10.0.0.2");
        assertTrue(limits.blocked("OLIVE@example.com", "10.0.0.9"));
        assertFalse(limits.blocked("other@example.com", "10.0.0.9"));
        nanos += Duration.ofMinutes(15).toNanos();
        limits.forgetIdle();
        assertFalse(limits.blocked("olive@example.com", "10.0.0.9"));
    }
}
