package io.cloudplane.infra.backup;

import io.cloudplane.infra.database.DatabaseProvisioner;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * An environment's database dumped with {@code pg_dump} and restored with {@code pg_restore}
 * ({@link PgTools}), and the tables' {@link TableFingerprints} that prove a restore whole. A dump
 * and its fingerprints describe one exported snapshot. Passwords reach the tools through their
 * environment, never their command line.
 */
@Singleton
public class DatabaseDumps {
    private final DatabaseProvisioner databases;
    private final PgTools tools;

    public DatabaseDumps(DatabaseProvisioner databases, PgTools tools) {
        this.databases = databases;
        this.tools = tools;
    }

    /** A dump as {@code sink} stored it, the server's version string, and each table's fingerprint in name order. */
    public record Dump<T>(T stored, String serverVersion, Map<String, TableFingerprints.Fingerprint> tables) {
    }

    /** Fails with {@link PgTools.ToolTooOldException} when {@code pg_dump} cannot read the database server. */
    public void requireDumpTool() {
        tools.requireAtLeast(tools.pgDump(), databases.serverMajorVersion());
    }

    /** Fails with {@link PgTools.ToolTooOldException} when {@code pg_restore} cannot write to the database server. */
    public void requireRestoreTool() {
        tools.requireAtLeast(tools.pgRestore(), databases.serverMajorVersion());
    }

    /**
     * Dumps {@code database} (custom format), logged in as its own role, into {@code sink}, which
     * reads the dump as pg_dump writes it; the stream fails at its end if pg_dump failed. Meanwhile
     * the fingerprints are taken, on another thread, in the same snapshot.
     *
     * @throws SQLException when the database cannot be read
     */
    public <T> Dump<T> dump(String database, String password, Function<InputStream, T> sink, Progress progress)
            throws SQLException, InterruptedException {
        requireDumpTool();
        try (Connection c = connectAsOwner(database, password)) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            String snapshot;
            String serverVersion;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_export_snapshot(), version()")) {
                rs.next();
                snapshot = rs.getString(1);
                serverVersion = rs.getString(2);
            }
            try (ToolProcess dump = new ToolProcess(List.of(tools.pgDump(), "--format=custom", "--snapshot=" + snapshot,
                    "--no-password", "--host=" + databases.host(), "--port=" + databases.port(), "--username=" + database,
                    "--dbname=" + database), Map.of("PGPASSWORD", password))) {
                // The fingerprints are taken on this connection, in the exported snapshot, while pg_dump
                // streams the same snapshot to the sink: the two run side by side, not one after the other.
                CompletableFuture<Map<String, TableFingerprints.Fingerprint>> fingerprints = CompletableFuture.supplyAsync(() -> {
                    try {
                        return TableFingerprints.of(c);
                    } catch (SQLException e) {
                        throw new CompletionException(e);
                    }
                }, runnable -> {
                    Thread t = new Thread(runnable, "fingerprints-" + database);
                    t.setDaemon(true);
                    t.start();
                });
                T stored;
                try {
                    stored = sink.apply(dump.stdout());
                } catch (RuntimeException sinkFailed) {
                    awaitQuietly(fingerprints);
                    // A fingerprint query that failed aborts the transaction that exported the snapshot,
                    // so pg_dump then fails too ("could not import the requested snapshot"): the
                    // fingerprints' failure is the cause, and the one to report.
                    SQLException cause = sqlFailureOf(fingerprints);
                    if (cause != null) {
                        cause.addSuppressed(sinkFailed);
                        throw cause;
                    }
                    throw sinkFailed;
                }
                awaitQuietly(fingerprints);
                Map<String, TableFingerprints.Fingerprint> tables = await(fingerprints, progress);
                c.rollback();
                return new Dump<>(stored, serverVersion, tables);
            }
        }
    }

    /**
     * Feeds {@code dump} (custom format) to pg_restore into {@code database}, logged in as
     * {@code role}, without owners or privileges (the objects become the role's).
     *
     * @throws ToolProcess.ToolFailedException when pg_restore failed: the dump does not restore
     * @throws IOException when waiting for pg_restore was interrupted
     */
    public void restore(String database, String role, String password, InputStream dump, Progress progress) throws IOException {
        try (ToolProcess restore = new ToolProcess(List.of(tools.pgRestore(), "--no-owner", "--no-privileges",
                "--exit-on-error", "--no-password", "--host=" + databases.host(), "--port=" + databases.port(),
                "--username=" + role, "--dbname=" + database), Map.of("PGPASSWORD", password))) {
            try (OutputStream out = restore.stdin()) {
                dump.transferTo(out);
            } catch (IOException e) {
                // pg_restore stopped reading (it failed), or the dump could not be read whole: the exit status says which.
            }
            restore.checkExit(progress::alive);
        }
    }

    /** The fingerprints of {@code database}'s tables, logged in as {@code role}. */
    public Map<String, TableFingerprints.Fingerprint> fingerprints(String database, String role, String password,
                                                                   Progress progress) throws SQLException {
        try (Connection c = connect(database, role, password)) {
            return TableFingerprints.of(c, progress::alive);
        }
    }

    /**
     * Signs in to {@code database} as its own role. PostgreSQL answers "password authentication
     * failed" for a role that does not exist as for a wrong password, so when signing in fails the
     * database and role are looked up: a missing one is a {@link MissingDatabaseException}, which
     * names it (an environment whose failed provisioning was torn down has neither).
     */
    private Connection connectAsOwner(String database, String password) throws SQLException {
        try {
            return connect(database, database, password);
        } catch (SQLException e) {
            boolean role;
            boolean db;
            try {
                role = databases.roleExists(database);
                db = databases.databaseExists(database);
            } catch (RuntimeException lookupFailed) { // the server itself is out of reach: its own failure says so
                e.addSuppressed(lookupFailed);
                throw e;
            }
            if (!role || !db) {
                throw new MissingDatabaseException(database, role, db, e);
            }
            throw e;
        }
    }

    /** The database to dump, or its role, does not exist: nothing to back up until it is created again. */
    public static class MissingDatabaseException extends SQLException {
        public MissingDatabaseException(String database, boolean roleExists, boolean databaseExists, SQLException cause) {
            super(!roleExists && !databaseExists ? "database " + database + " and its role do not exist"
                    : !databaseExists ? "database " + database + " does not exist"
                    : "role " + database + " does not exist",
                    databaseExists ? "28000" : "3D000", cause); // invalid_authorization_specification, invalid_catalog_name
        }
    }

    private Connection connect(String database, String role, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", role);
        props.setProperty("password", password);
        return DriverManager.getConnection(databases.jdbcUrlFor(database), props);
    }

    /** Waits for the fingerprints, telling {@code progress} meanwhile, and unwraps a database failure. */
    private static Map<String, TableFingerprints.Fingerprint> await(
            CompletableFuture<Map<String, TableFingerprints.Fingerprint>> future, Progress progress)
            throws SQLException, InterruptedException {
        while (true) {
            try {
                return future.get(5, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                progress.alive();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof CompletionException ce && ce.getCause() instanceof SQLException sql) {
                    throw sql;
                }
                if (e.getCause() instanceof SQLException sql) {
                    throw sql;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** The database failure {@code future} ended with, or null. */
    private static SQLException sqlFailureOf(CompletableFuture<?> future) {
        if (!future.isCompletedExceptionally()) {
            return null;
        }
        try {
            future.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause() instanceof SQLException sql ? sql : null;
        } catch (java.util.concurrent.CancellationException e) {
            return null;
        }
    }

    /** Lets the connection's other user finish before the connection is closed, whatever happened to the sink. */
    private static void awaitQuietly(CompletableFuture<?> future) {
        try {
            future.get(10, TimeUnit.MINUTES);
        } catch (Exception ignored) {
            // reported by await, or superseded by the sink's own failure
        }
    }
}
