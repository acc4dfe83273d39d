package io.cloudplane.infra.monitoring;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The database gauges against the embedded PostgreSQL: one reading serves every scrape within the cache (no
 * connection taken), then the grouped queries see new environments, a sleeping sandbox, and the age of each
 * environment's last good backup (since its creation when it has none; none for an environment without a schedule
 * or a backup).
 */
@MicronautTest(transactional = false)
class StateGaugesTest {
    @Inject DataSource dataSource;

    private static final class MovableClock extends Clock {
        volatile Instant now = Instant.now();

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void readsOnceWithinTheCacheThenSeesEnvironmentsSandboxesAndBackupAges() throws Exception {
        DataSource pool = DelegatingDataSource.unwrapDataSource(dataSource);
        AtomicInteger connections = new AtomicInteger();
        DataSource counting = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        connections.incrementAndGet();
                    }
                    return method.invoke(pool, args);
                });
        MovableClock clock = new MovableClock();
        MeterRegistry registry = new SimpleMeterRegistry();
        StateGauges gauges = new StateGauges(counting, Duration.ofSeconds(10), registry, clock);

        gauges.refresh();
        assertEquals(1, connections.get(), "one connection for the three grouped queries");
        double sleeping = gauge(registry, StateGauges.ENVIRONMENTS, "status", "SLEEPING");
        double asleep = gauge(registry, StateGauges.SANDBOXES, "phase", "ASLEEP");
        double running = gauge(registry, StateGauges.ENVIRONMENTS, "status", "RUNNING");

        Instant created = Instant.now().minus(Duration.ofHours(30)).truncatedTo(ChronoUnit.SECONDS);
        Instant goodBackup = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);
        UUID owner = UUID.randomUUID();
        UUID sandbox = UUID.randomUUID();
        UUID sandboxEnv = UUID.randomUUID();
        UUID app = UUID.randomUUID();
        UUID scheduled = UUID.randomUUID();
        UUID backedUp = UUID.randomUUID();
        UUID neither = UUID.randomUUID();
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO users (id, email, first_name, last_name, created_at) VALUES ('" + owner + "', 'gauges-" + owner
                    + "@example.com', 'G', 'T', now())");
            s.execute("INSERT INTO apps (id, owner_id, name, kind, status, created_at, updated_at) VALUES ('" + sandbox + "', '" + owner
                    + "', 'sandbox', 'SANDBOX', 'ACTIVE', now(), now()), ('" + app + "', '" + owner + "', 'app', 'APPLICATION', 'ACTIVE', now(), now())");
            s.execute(environment(sandboxEnv, sandbox, "development", "DEVELOPMENT", "SLEEPING", created));
            s.execute(environment(scheduled, app, "staging", "STAGING", "RUNNING", created));
            s.execute(environment(backedUp, app, "production", "PRODUCTION", "RUNNING", created));
            s.execute(environment(neither, app, "custom", "CUSTOM", "RUNNING", created));
            s.execute("INSERT INTO backup_schedules (env_id, frequency, time_of_day, retention_count, retention_days, paused, updated_at) "
                    + "VALUES ('" + scheduled + "', 'DAILY', '02:00', 7, 30, false, now())");
            s.execute("INSERT INTO backups (id, app_id, env_id, trigger, status, object_prefix, created_at, finished_at, updated_at) VALUES "
                    + "('" + UUID.randomUUID() + "', '" + app + "', '" + backedUp + "', 'MANUAL', 'COMPLETED', 'backups/x/', '" + goodBackup
                    + "', '" + goodBackup + "', now()), ('" + UUID.randomUUID() + "', '" + app + "', '" + backedUp
                    + "', 'MANUAL', 'FAILED', 'backups/y/', now(), now(), now())");
        }

        try {
            moves(gauges, registry, clock, connections, pool, sleeping, running, asleep, created, goodBackup, sandboxEnv, scheduled, backedUp,
                    neither);
        } finally { // leave the shared test database as it was (its backups and schedule go with the environments)
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("DELETE FROM environments WHERE app_id IN ('" + sandbox + "', '" + app + "')");
                s.execute("DELETE FROM apps WHERE owner_id = '" + owner + "'");
                s.execute("DELETE FROM users WHERE id = '" + owner + "'");
            }
        }
    }

    private void moves(StateGauges gauges, MeterRegistry registry, MovableClock clock, AtomicInteger connections, DataSource pool,
                       double sleeping, double running, double asleep, Instant created, Instant goodBackup, UUID sandboxEnv,
                       UUID scheduled, UUID backedUp, UUID neither) throws Exception {
        clock.now = clock.now.plusSeconds(9);
        gauges.refresh();
        assertEquals(1, connections.get(), "within the cache: nothing read");
        assertEquals(sleeping, gauge(registry, StateGauges.ENVIRONMENTS, "status", "SLEEPING"));

        clock.now = clock.now.plusSeconds(1);
        gauges.refresh();
        assertEquals(2, connections.get());
        assertEquals(sleeping + 1, gauge(registry, StateGauges.ENVIRONMENTS, "status", "SLEEPING"));
        assertEquals(running + 3, gauge(registry, StateGauges.ENVIRONMENTS, "status", "RUNNING"));
        assertEquals(asleep + 1, gauge(registry, StateGauges.SANDBOXES, "phase", "ASLEEP"));
        assertEquals(Duration.between(created, clock.now).toSeconds(), age(registry, scheduled), 1.0,
                "a schedule without a good backup: since the environment's creation");
        assertEquals(Duration.between(goodBackup, clock.now).toSeconds(), age(registry, backedUp), 1.0,
                "since the newest completed backup, not the failed one");
        assertNull(registry.find(StateGauges.BACKUP_AGE).tag("env_id", neither.toString()).gauge(), "no schedule, no backup");
        assertNull(registry.find(StateGauges.BACKUP_AGE).tag("env_id", sandboxEnv.toString()).gauge());

        // The age moves with the clock between readings.
        clock.now = clock.now.plusSeconds(5);
        assertEquals(Duration.between(goodBackup, clock.now).toSeconds(), age(registry, backedUp), 1.0);

        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("UPDATE environments SET status = 'DELETING' WHERE id = '" + backedUp + "'");
        }
        clock.now = clock.now.plusSeconds(10);
        gauges.refresh();
        assertNull(registry.find(StateGauges.BACKUP_AGE).tag("env_id", backedUp.toString()).gauge(), "a deleted environment's age goes");
    }

    private static String environment(UUID id, UUID app, String name, String type, String status, Instant created) {
        return "INSERT INTO environments (id, app_id, name, type, status, server_version, db_name, created_at, updated_at) VALUES ('"
                + id + "', '" + app + "', '" + name + "', '" + type + "', '" + status + "', '1.0.0', 'env_" + id.toString().replace("-", "")
                + "', '" + created + "', now())";
    }

    private static double gauge(MeterRegistry registry, String name, String tag, String value) {
        Gauge gauge = registry.find(name).tag(tag, value).gauge();
        return gauge.value();
    }

    private static double age(MeterRegistry registry, UUID envId) {
        return registry.find(StateGauges.BACKUP_AGE).tag("env_id", envId.toString()).gauge().value();
    }
}
