package io.cloudplane.infra.metrics;

import io.cloudplane.infra.environment.EnvironmentLocks;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Metric samples in PostgreSQL: written in batches, kept raw for 24 hours, then averaged into
 * 5-minute buckets kept for 30 days; read back as a series at a step.
 */
@Singleton
public class MetricsStore {
    /** The advisory lock of the collector's cycle ("metrics" in ASCII). */
    static final long COLLECTOR_LOCK = 0x6d657472696373L;
    public static final Duration RAW_KEPT = Duration.ofHours(24);
    public static final Duration ROLLUP_KEPT = Duration.ofDays(30);
    public static final Duration ROLLUP_STEP = Duration.ofMinutes(5);
    private final DataSource db;

    private final EnvironmentLocks locks;

    public MetricsStore(@Named("default") DataSource dataSource, EnvironmentLocks locks) {
        this.locks = locks;
        this.db = DelegatingDataSource.unwrapDataSource(dataSource);
    }

    public record Sample(UUID envId, Instant at, Double cpuPercent, Long memoryBytes, Long diskBytes, Long netInBytes, Long netOutBytes) {
    }

    @io.micronaut.serde.annotation.Serdeable
    public record Point(Instant at, Double cpuPercent, Long memoryBytes, Long diskBytes, Long netInBytes, Long netOutBytes) {
    }

    /** One batch insert; a sample already there for the same instant is kept. */
    public void write(List<Sample> samples) {
        if (samples.isEmpty()) {
            return;
        }
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO metric_samples (env_id, at, cpu_percent, memory_bytes, disk_bytes, net_in_bytes, net_out_bytes)
                SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM environments WHERE id = ?)
                ON CONFLICT DO NOTHING""")) {
            for (Sample x : samples) {
                s.setObject(1, x.envId());
                s.setTimestamp(2, Timestamp.from(x.at()));
                setDouble(s, 3, x.cpuPercent());
                setLong(s, 4, x.memoryBytes());
                setLong(s, 5, x.diskBytes());
                setLong(s, 6, x.netInBytes());
                setLong(s, 7, x.netOutBytes());
                s.setObject(8, x.envId());
                s.addBatch();
            }
            s.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("Could not store metric samples: " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code work} if no other process is running it now (a PostgreSQL advisory lock, held on a
     * connection of its own for the duration): with several workers, one of them samples each cycle.
     * Returns false when another process had it.
     */
    public boolean exclusively(Runnable work) {
        try (EnvironmentLocks.Hold hold = locks.tryHold(COLLECTOR_LOCK)) {
            if (hold == null) {
                return false;
            }
            work.run();
            return true;
        }
    }

    /**
     * Raw samples older than 24 h become 5-minute averages; averages older than 30 days go. The cutoff
     * is on a 5-minute boundary, so that each bucket is averaged once, from all its samples.
     */
    public void applyRetention(Instant now) {
        long bucket = ROLLUP_STEP.toSeconds();
        Instant rawCutoff = Instant.ofEpochSecond(Math.floorDiv(now.minus(RAW_KEPT).getEpochSecond(), bucket) * bucket);
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement roll = c.prepareStatement("""
                    INSERT INTO metric_rollups (env_id, bucket, samples, cpu_percent, memory_bytes, disk_bytes, net_in_bytes, net_out_bytes)
                    SELECT env_id, date_bin('5 minutes', at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket, count(*),
                           avg(cpu_percent), avg(memory_bytes)::bigint, avg(disk_bytes)::bigint, avg(net_in_bytes)::bigint,
                           avg(net_out_bytes)::bigint
                    FROM metric_samples WHERE at < ? GROUP BY env_id, bucket
                    ON CONFLICT (env_id, bucket) DO UPDATE SET
                        cpu_percent = (metric_rollups.cpu_percent * metric_rollups.samples + EXCLUDED.cpu_percent * EXCLUDED.samples)
                                      / (metric_rollups.samples + EXCLUDED.samples),
                        memory_bytes = ((metric_rollups.memory_bytes * metric_rollups.samples + EXCLUDED.memory_bytes * EXCLUDED.samples)
                                      / (metric_rollups.samples + EXCLUDED.samples)),
                        disk_bytes = ((metric_rollups.disk_bytes * metric_rollups.samples + EXCLUDED.disk_bytes * EXCLUDED.samples)
                                      / (metric_rollups.samples + EXCLUDED.samples)),
                        net_in_bytes = coalesce((metric_rollups.net_in_bytes * metric_rollups.samples
                                      + EXCLUDED.net_in_bytes * EXCLUDED.samples) / (metric_rollups.samples + EXCLUDED.samples),
                                      EXCLUDED.net_in_bytes, metric_rollups.net_in_bytes),
                        net_out_bytes = coalesce((metric_rollups.net_out_bytes * metric_rollups.samples
                                      + EXCLUDED.net_out_bytes * EXCLUDED.samples) / (metric_rollups.samples + EXCLUDED.samples),
                                      EXCLUDED.net_out_bytes, metric_rollups.net_out_bytes),
                        samples = metric_rollups.samples + EXCLUDED.samples""");
                 PreparedStatement dropRaw = c.prepareStatement("DELETE FROM metric_samples WHERE at < ?");
                 PreparedStatement dropRollups = c.prepareStatement("DELETE FROM metric_rollups WHERE bucket < ?")) {
                roll.setTimestamp(1, Timestamp.from(rawCutoff));
                roll.executeUpdate();
                dropRaw.setTimestamp(1, Timestamp.from(rawCutoff));
                dropRaw.executeUpdate();
                dropRollups.setTimestamp(1, Timestamp.from(now.minus(ROLLUP_KEPT)));
                dropRollups.executeUpdate();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not apply metric retention: " + e.getMessage(), e);
        }
    }

    /**
     * The series of one environment from {@code from} to {@code to}, averaged per {@code step}: from
     * the raw samples where they are still kept, from the 5-minute averages before that.
     */
    public List<Point> series(UUID envId, Instant from, Instant to, Duration step, Instant now) {
        boolean raw = !from.isBefore(now.minus(RAW_KEPT));
        String sql = raw ? """
                SELECT date_bin(make_interval(secs => ?), at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS t, avg(cpu_percent),
                       avg(memory_bytes)::bigint, avg(disk_bytes)::bigint, avg(net_in_bytes)::bigint, avg(net_out_bytes)::bigint
                FROM metric_samples WHERE env_id = ? AND at >= ? AND at < ? GROUP BY t ORDER BY t"""
                : """
                SELECT date_bin(make_interval(secs => ?), bucket, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS t, avg(cpu_percent),
                       avg(memory_bytes)::bigint, avg(disk_bytes)::bigint, avg(net_in_bytes)::bigint, avg(net_out_bytes)::bigint
                FROM (SELECT env_id, bucket, cpu_percent, memory_bytes, disk_bytes, net_in_bytes, net_out_bytes FROM metric_rollups
                      UNION ALL
                      SELECT env_id, at, cpu_percent, memory_bytes, disk_bytes, net_in_bytes, net_out_bytes FROM metric_samples) m
                WHERE env_id = ? AND bucket >= ? AND bucket < ? GROUP BY t ORDER BY t""";
        List<Point> points = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setDouble(1, step.toSeconds());
            s.setObject(2, envId);
            s.setTimestamp(3, Timestamp.from(from));
            s.setTimestamp(4, Timestamp.from(to));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    points.add(new Point(rs.getTimestamp(1).toInstant(), rs.getObject(2, Double.class), rs.getObject(3, Long.class),
                            rs.getObject(4, Long.class), rs.getObject(5, Long.class), rs.getObject(6, Long.class)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read metrics: " + e.getMessage(), e);
        }
        return points;
    }

    private static void setDouble(PreparedStatement s, int i, Double v) throws SQLException {
        if (v == null) {
            s.setNull(i, Types.REAL);
        } else {
            s.setDouble(i, v);
        }
    }

    private static void setLong(PreparedStatement s, int i, Long v) throws SQLException {
        if (v == null) {
            s.setNull(i, Types.BIGINT);
        } else {
            s.setLong(i, v);
        }
    }
}
