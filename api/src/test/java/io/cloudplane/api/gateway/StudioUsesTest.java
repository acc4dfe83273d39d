package io.cloudplane.api.gateway;

import io.cloudplane.api.sandbox.SandboxLifecycles;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.sandbox.SandboxSettings;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The throttle of Studio use: once per interval per environment, never on the caller's thread, never a thrown failure. */
class StudioUsesTest {
    private final List<String> writes = new ArrayList<>();
    private final List<UUID> signals = new ArrayList<>();
    private final List<Runnable> queued = new ArrayList<>();
    private Instant now = Instant.parse("2027-01-01T00:00:00Z");
    private boolean databaseDown;

    private final EnvironmentRepository environments = (EnvironmentRepository) Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] {EnvironmentRepository.class}, (proxy, method, args) -> {
                if (method.getName().equals("recordStudioAccess")) {
                    if (databaseDown) {
                        throw new IllegalStateException("connection refused");
                    }
                    writes.add(args[0] + "@" + args[1]);
                    return null;
                }
                throw new UnsupportedOperationException(method.getName());
            });

    private final SandboxLifecycles lifecycles = new SandboxLifecycles(null, null, settings(Duration.ofDays(7))) {
        @Override
        public void studioAccessed(UUID appId) {
            signals.add(appId);
        }
    };

    /** Runs nothing until the test says so: proves the caller does not do the work itself. */
    private final AbstractExecutorService later = new AbstractExecutorService() {
        @Override public void execute(Runnable command) { queued.add(command); }
        @Override public void shutdown() { }
        @Override public List<Runnable> shutdownNow() { return List.of(); }
        @Override public boolean isShutdown() { return false; }
        @Override public boolean isTerminated() { return false; }
        @Override public boolean awaitTermination(long timeout, TimeUnit unit) { return true; }
    };

    private final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    };

    private static SandboxSettings settings(Duration idle) {
        return new SandboxSettings(idle, Duration.ofDays(90), List.of(Duration.ofDays(14), Duration.ofDays(1)));
    }

    private void runQueued() {
        List<Runnable> batch = new ArrayList<>(queued);
        queued.clear();
        batch.forEach(Runnable::run);
    }

    @Test
    void manyRequestsInOneIntervalRecordOnceAndAfterTheIntervalAgain() {
        StudioUses uses = new StudioUses(environments, lifecycles, later, clock, Duration.ofMinutes(1));
        UUID app = UUID.randomUUID();
        UUID env = UUID.randomUUID();
        UUID other = UUID.randomUUID();

        for (int i = 0; i < 1000; i++) {
            uses.used(app, env, true);
            now = now.plusMillis(50); // 1000 requests over 50 s
        }
        assertTrue(writes.isEmpty(), "nothing done on the caller's thread");
        runQueued();
        assertEquals(List.of(env + "@2027-01-01T00:00:00Z"), writes);
        assertEquals(List.of(app), signals);

        uses.used(app, other, false); // another environment has its own interval; not a sandbox: no signal
        now = now.plusSeconds(10); // 60 s after the first record
        uses.used(app, env, true);
        runQueued();
        assertEquals(List.of(env + "@2027-01-01T00:00:00Z", other + "@2027-01-01T00:00:50Z", env + "@2027-01-01T00:01:00Z"), writes);
        assertEquals(List.of(app, app), signals);
    }

    @Test
    void aFailedRecordIsLoggedNotThrownAndTriedAgainAfterTheInterval() {
        StudioUses uses = new StudioUses(environments, lifecycles, later, clock, Duration.ofMinutes(1));
        UUID app = UUID.randomUUID();
        UUID env = UUID.randomUUID();
        databaseDown = true;
        uses.used(app, env, true);
        runQueued(); // throws nothing
        assertTrue(signals.isEmpty(), "no signal for an access that was not recorded");
        databaseDown = false;
        now = now.plusSeconds(30);
        uses.used(app, env, true);
        runQueued();
        assertTrue(writes.isEmpty(), "still within the interval");
        now = now.plusSeconds(30);
        uses.used(app, env, true);
        runQueued();
        assertEquals(1, writes.size(), writes.toString());
    }

    @Test
    void theIntervalIsATenthOfAShortIdlePeriod() {
        GatewaySettings gateway = new GatewaySettings(true, 0, "127.0.0.1", "localhost", "http", null, null,
                Duration.ofSeconds(30), Duration.ofHours(12), Duration.ofMinutes(1), 0, false, 0, null);
        assertEquals(Duration.ofMinutes(1), StudioUses.interval(gateway, settings(Duration.ofDays(7))));
        assertEquals(Duration.ofSeconds(6), StudioUses.interval(gateway, settings(Duration.ofMinutes(1))));
    }

    @Test
    void environmentsNotUsedForTenIntervalsAreForgotten() {
        StudioUses uses = new StudioUses(environments, lifecycles, later, clock, Duration.ofMinutes(1));
        UUID app = UUID.randomUUID();
        for (int i = 0; i < 100; i++) {
            uses.used(app, UUID.randomUUID(), false);
        }
        assertEquals(100, uses.remembered());
        now = now.plus(Duration.ofMinutes(11));
        UUID inUse = UUID.randomUUID();
        uses.used(app, inUse, false);
        assertEquals(1, uses.remembered(), "only the environment in use is remembered");
        runQueued();
        assertEquals(101, writes.size(), "each was recorded once");
    }
}
