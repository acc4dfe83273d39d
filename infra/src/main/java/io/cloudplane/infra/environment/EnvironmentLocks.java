package io.cloudplane.infra.environment;

import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Keeps a code upload and the operations on an environment apart, across processes, with a
 * PostgreSQL advisory lock on the environment. An upload holds it exclusively for as long as it
 * installs (a session lock, on a connection of its own); starting an operation takes it shared for
 * its transaction, and is refused while an upload holds it. The upload in turn checks, once it holds
 * the lock, that no operation is unfinished: so a deployment and an upload never overlap.
 */
@Singleton
public class EnvironmentLocks {
    private final DataSource raw;
    private final JdbcOperations jdbc;

    public EnvironmentLocks(@jakarta.inject.Named("default") DataSource dataSource, JdbcOperations jdbc) {
        this.raw = io.micronaut.data.connection.jdbc.advice.DelegatingDataSource.unwrapDataSource(dataSource);
        this.jdbc = jdbc;
    }

    /** Held until closed; null when another upload holds the environment, or an operation is being started. */
    public Hold tryHoldForUpload(UUID envId) {
        return tryHold(key(envId));
    }

    /**
     * A PostgreSQL session advisory lock on {@code key}, on a connection of its own, held until closed;
     * null when another session holds it.
     */
    public Hold tryHold(long key) {
        try {
            Connection c = raw.getConnection();
            try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                s.setLong(1, key);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return new Hold(c, key);
                    }
                }
            }
            c.close();
            return null;
        } catch (SQLException e) {
            throw new IllegalStateException("could not take advisory lock " + key + ": " + e.getMessage(), e);
        }
    }

    /** In the caller's transaction (joined, or its own if there is none): false while an upload holds the environment. */
    @Transactional
    public boolean tryShareForOperation(UUID envId) {
        return jdbc.prepareStatement("SELECT pg_try_advisory_xact_lock_shared(?)", s -> {
            s.setLong(1, key(envId));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        });
    }

    private static long key(UUID envId) {
        return envId.getMostSignificantBits() ^ envId.getLeastSignificantBits();
    }

    public static final class Hold implements AutoCloseable {
        private final Connection connection;
        private final long key;

        private Hold(Connection connection, long key) {
            this.connection = connection;
            this.key = key;
        }

        @Override
        public void close() {
            try (Connection c = connection; PreparedStatement s = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                s.setLong(1, key);
                s.execute();
            } catch (SQLException ignored) {
                // closing the connection ends the session, and the lock with it
            }
        }
    }
}
