package io.cloudplane.infra.app;

import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether anything the apps list is built from may have changed: a generation number that moves
 * on every change of the rows of {@code apps}, {@code app_members}, {@code environment_users} and
 * on every environment created or deleted, whichever process made it (the triggers of migration
 * V17 notify channel {@value #CHANNEL} at commit), and on every call of {@link #changed()}.
 *
 * <p>A list read after {@link #generation()} answered {@code g} may be used for as long as
 * {@code generation()} still answers {@code g}. While this process cannot hear the notifications
 * (before its first {@code LISTEN}, and from a broken connection until the next {@code LISTEN}),
 * {@code generation()} answers {@link #UNKNOWN}, and the lists must be read each time; the
 * generation moves when listening starts again, since changes made meanwhile went unheard.
 *
 * <p>One connection of the pool listens, on a daemon thread started by the first call of
 * {@link #generation()} (so a worker-only process, which serves no list, holds none). A
 * notification wakes it at once; every 10 s without one it runs {@code SELECT 1}, so a connection
 * that died silently is found within about that time.
 */
@Singleton
public class AppListChanges {
    public static final String CHANNEL = "app_list_changed";
    /** An environment's status, port or access changed (V22): what the gateway keeps, not the lists. */
    public static final String ENVIRONMENT_CHANNEL = "environment_changed";
    /** The listening connection's {@code application_name}, as {@code pg_stat_activity} shows it. */
    public static final String APPLICATION_NAME = "cloudplane-app-list-changes";
    /** What {@link #generation()} answers while changes cannot be heard. */
    public static final long UNKNOWN = -1;
    private static final Logger LOG = LoggerFactory.getLogger(AppListChanges.class);
    private static final int WAIT_MILLIS = 10_000;
    private static final long RETRY_MILLIS = 1_000;

    private final DataSource dataSource;
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong routeGeneration = new AtomicLong();
    private volatile boolean listening;
    private volatile boolean started;
    private volatile boolean closed;
    private volatile Connection connection;
    private Thread thread;

    public AppListChanges(@Named("default") DataSource dataSource) {
        this.dataSource = DelegatingDataSource.unwrapDataSource(dataSource);
    }

    /** The current generation, or {@link #UNKNOWN} while changes cannot be heard. */
    public long generation() {
        if (!started) {
            start();
        }
        return listening ? generation.get() : UNKNOWN;
    }

    /**
     * The generation of what the access gateway keeps (environments by host, their members): it moves
     * with {@link #generation()}, and also when an environment's status, port or access changes, which
     * the apps lists do not show. {@link #UNKNOWN} while changes cannot be heard.
     */
    public long routeGeneration() {
        if (!started) {
            start();
        }
        return listening ? routeGeneration.get() : UNKNOWN;
    }

    /** Something the lists are built from changed (or may have): every list read before is out of date. */
    public void changed() {
        generation.incrementAndGet();
        routeGeneration.incrementAndGet();
    }

    /** Whether this process hears the notifications now. */
    public boolean listening() {
        return listening;
    }

    private synchronized void start() {
        if (started || closed) {
            return;
        }
        thread = new Thread(this::listen, "app-list-changes");
        thread.setDaemon(true);
        thread.start();
        started = true;
    }

    private void listen() {
        while (!closed) {
            try (Connection c = dataSource.getConnection()) {
                connection = c;
                try {
                    hear(c);
                } finally {
                    listening = false;
                    changed();
                    connection = null;
                    unlisten(c);
                }
            } catch (SQLException | RuntimeException e) {
                if (!closed) {
                    LOG.warn("Cannot hear changes of the apps lists ({}); each list is read from the database until listening again",
                            e.getMessage());
                }
            }
            if (!closed) {
                try {
                    Thread.sleep(RETRY_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void hear(Connection c) throws SQLException {
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            s.execute("SET application_name = '" + APPLICATION_NAME + "'");
            s.execute("LISTEN " + CHANNEL);
            s.execute("LISTEN " + ENVIRONMENT_CHANNEL);
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        // heard from here on: whatever changed before is dropped once
        changed();
        listening = true;
        while (!closed) {
            PGNotification[] notifications = pg.getNotifications(WAIT_MILLIS);
            if (notifications != null && notifications.length > 0) {
                boolean lists = false;
                for (PGNotification notification : notifications) {
                    lists |= CHANNEL.equals(notification.getName());
                }
                if (lists) {
                    changed();
                } else {
                    routeGeneration.incrementAndGet();
                }
            } else {
                try (Statement s = c.createStatement()) {
                    s.setQueryTimeout(5);
                    s.execute("SELECT 1");
                }
            }
        }
    }

    /**
     * The connection goes back to the pool: it must not keep listening there, or the notifications
     * would pile up in the driver of whoever uses it next. A broken one is dropped by the pool.
     */
    private static void unlisten(Connection c) {
        try (Statement s = c.createStatement()) {
            s.execute("UNLISTEN *");
            s.execute("RESET application_name");
        } catch (SQLException | RuntimeException ignored) {
            // broken: the pool evicts it (its SQL state says so)
        }
    }

    @PreDestroy
    synchronized void close() {
        closed = true;
        listening = false;
        Connection c = connection;
        if (c != null) {
            try {
                // wakes the listening thread at once; the pool drops the connection it gets back
                c.abort(Runnable::run);
            } catch (SQLException | RuntimeException ignored) {
                // the thread ends at its next wake-up either way
            }
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}
