package io.cloudplane.infra.monitoring;

import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.sandbox.LifecyclePhase;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The gauges that read Cloudplane's database, refreshed by {@link #refresh()} (before each scrape) at most once per
 * {@code cloudplane.monitoring.gauge-cache}, with one grouped query each:
 * <ul>
 * <li>{@code cloudplane_environments{status}}: environments by status, every status present (0 when none);</li>
 * <li>{@code cloudplane_sandboxes{phase}}: sandboxes by lifecycle phase, read from the rows as the lifecycle writes them
 * (the app or its environment DELETING: DELETING; the environment SLEEPING: ASLEEP; else AWAKE);</li>
 * <li>{@code cloudplane_backup_last_good_age_seconds{app_id,env_id}}: for every environment with an active backup
 * schedule or any backup, the seconds since its newest COMPLETED backup finished, or, never backed up, since the
 * environment was created (so that a stale-backup alert also catches a schedule that never succeeded).</li>
 * </ul>
 */
@Singleton
public class StateGauges {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StateGauges.class);
    public static final String ENVIRONMENTS = "cloudplane.environments";
    public static final String SANDBOXES = "cloudplane.sandboxes";
    public static final String BACKUP_AGE = "cloudplane.backup.last.good.age";
    static final String BY_STATUS = "SELECT status, count(*) FROM environments GROUP BY status";
    static final String BY_PHASE = """
            SELECT CASE WHEN a.status = 'DELETING' OR e.status = 'DELETING' THEN 'DELETING'
                        WHEN e.status = 'SLEEPING' THEN 'ASLEEP' ELSE 'AWAKE' END, count(DISTINCT a.id)
            FROM apps a JOIN environments e ON e.app_id = a.id
            WHERE a.kind = 'SANDBOX'
            GROUP BY 1""";
    static final String LAST_GOOD_BACKUPS = """
            SELECT e.app_id, e.id, coalesce(g.last_good, e.created_at)
            FROM environments e
            LEFT JOIN (SELECT env_id, max(finished_at) FILTER (WHERE status = 'COMPLETED') AS last_good
                       FROM backups GROUP BY env_id) g ON g.env_id = e.id
            LEFT JOIN backup_schedules s ON s.env_id = e.id
            WHERE e.status <> 'DELETING' AND ((s.env_id IS NOT NULL AND NOT s.paused) OR g.env_id IS NOT NULL)""";

    private record Snapshot(Map<EnvironmentStatus, Long> environments, Map<LifecyclePhase, Long> sandboxes, Instant at) {
    }

    private record LastGood(UUID appId, UUID envId, Instant since) {
    }

    private final DataSource dataSource;
    private final Duration cache;
    private final Clock clock;
    private final MultiGauge backupAges;
    private volatile Snapshot snapshot;

    public StateGauges(@Named("default") DataSource dataSource, MonitoringSettings settings, MeterRegistry registry) {
        this(dataSource, settings.gaugeCache(), registry, Clock.systemUTC());
    }

    StateGauges(DataSource dataSource, Duration cache, MeterRegistry registry, Clock clock) {
        // a connection of the pool's own for these reads, outside any transaction (as VisibleApps)
        this.dataSource = DelegatingDataSource.unwrapDataSource(dataSource);
        this.cache = cache;
        this.clock = clock;
        this.snapshot = new Snapshot(new EnumMap<>(EnvironmentStatus.class), new EnumMap<>(LifecyclePhase.class), Instant.EPOCH);
        for (EnvironmentStatus status : EnvironmentStatus.values()) {
            Gauge.builder(ENVIRONMENTS, this, g -> g.snapshot.environments().getOrDefault(status, 0L))
                    .description("Environments by status").tag("status", status.name()).register(registry);
        }
        for (LifecyclePhase phase : LifecyclePhase.values()) {
            Gauge.builder(SANDBOXES, this, g -> g.snapshot.sandboxes().getOrDefault(phase, 0L))
                    .description("Sandboxes by lifecycle phase").tag("phase", phase.name()).register(registry);
        }
        this.backupAges = MultiGauge.builder(BACKUP_AGE).baseUnit("seconds")
                .description("Seconds since the environment's newest completed backup (since its creation if it has none)")
                .register(registry);
    }

    /** Reads the database again unless the last read is younger than the cache. */
    public synchronized void refresh() {
        Instant now = clock.instant();
        if (Duration.between(snapshot.at(), now).compareTo(cache) < 0 && !snapshot.at().equals(Instant.EPOCH)) {
            return;
        }
        Map<EnvironmentStatus, Long> environments = new EnumMap<>(EnvironmentStatus.class);
        Map<LifecyclePhase, Long> sandboxes = new EnumMap<>(LifecyclePhase.class);
        List<LastGood> lastGood = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery(BY_STATUS)) {
                while (r.next()) {
                    environments.put(EnvironmentStatus.valueOf(r.getString(1)), r.getLong(2));
                }
            }
            try (ResultSet r = s.executeQuery(BY_PHASE)) {
                while (r.next()) {
                    sandboxes.put(LifecyclePhase.valueOf(r.getString(1)), r.getLong(2));
                }
            }
            try (ResultSet r = s.executeQuery(LAST_GOOD_BACKUPS)) {
                while (r.next()) {
                    lastGood.add(new LastGood(r.getObject(1, UUID.class), r.getObject(2, UUID.class),
                            r.getObject(3, OffsetDateTime.class).toInstant()));
                }
            }
        } catch (SQLException | RuntimeException e) {
            // the scrape goes on (JVM, Temporal and HTTP meters matter most then): these gauges keep their last
            // reading, and the database is asked again after the cache's time
            LOG.warn("Could not read the gauges of environments, sandboxes and backups: {}", e.getMessage());
            snapshot = new Snapshot(snapshot.environments(), snapshot.sandboxes(), now);
            return;
        }
        snapshot = new Snapshot(environments, sandboxes, now);
        backupAges.register(lastGood.stream().map(g -> MultiGauge.Row.of(
                Tags.of("app_id", g.appId().toString(), "env_id", g.envId().toString()),
                () -> Math.max(0, Duration.between(g.since(), clock.instant()).toMillis() / 1000.0))).toList(), true);
    }
}
