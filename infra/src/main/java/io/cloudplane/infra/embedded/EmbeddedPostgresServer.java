package io.cloudplane.infra.embedded;

import io.cloudplane.infra.config.KeyFiles;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * PostgreSQL 15 from zonky's binaries, for Cloudplane's own state and the environments' databases.
 * Its data lives under the data directory and survives restarts; it listens on 127.0.0.1 only.
 * It is started by {@link EmbeddedPostgresResolver} the first time the configuration asks for
 * {@code ${embedded-postgres.url}}, which happens only when no external database is configured.
 * Every role signs in with its password, the superuser {@code postgres} too: its password is
 * generated once and kept in {@code <data dir>/keys/postgres.key}, readable by Cloudplane's user only.
 */
public final class EmbeddedPostgresServer {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final Map<Path, EmbeddedPostgresServer> RUNNING = new ConcurrentHashMap<>();
    private final EmbeddedPostgres postgres;
    private final Path dataDir;
    private final String superuserPassword;

    private EmbeddedPostgresServer(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.superuserPassword = Base64.getEncoder().encodeToString(KeyFiles.loadOrCreate(superuserKeyFile(dataDir), 24));
        OrphanedPostmaster.stopIfAny(dataDir);
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPGStartupWait(Duration.ofSeconds(30))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "300")
                    // zonky's defaults are for throwaway test databases: pg_ctl -o "-F" (fsync off) and
                    // synchronous_commit off, so a power loss could drop commits already acknowledged,
                    // tenants' included. These come after -F on the command line, so they win.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    // zonky checks that the server is up as postgres; once pg_hba asks for it, it needs the password.
                    .setConnectConfig("password", superuserPassword);
            if (port > 0) {
                builder.setPort(port);
            }
            this.postgres = builder.start();
            requirePasswords();
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("Embedded PostgreSQL did not start in " + dataDir + ": " + e.getMessage(), e);
        }
        LOG.info("Embedded PostgreSQL is listening on 127.0.0.1:{} with its data in {}", postgres.getPort(), dataDir);
    }

    /**
     * initdb trusts every local login (zonky runs it with {@code -A trust}), and Cloudplane used to
     * keep trusting its superuser on loopback, so that any local process could sign in as
     * {@code postgres}. Every role now needs its password: while the server still trusts, the
     * superuser is given its generated password (hashed by the driver, so the clear text never
     * reaches the server's logs), then pg_hba.conf is rewritten and reloaded. Data directories from
     * before are migrated on their first start this way; later starts find the file as wanted.
     */
    private void requirePasswords() throws IOException, SQLException {
        Path hba = dataDir.resolve("pg_hba.conf");
        String wanted = """
                # Managed by Cloudplane: every role, the superuser included, signs in with its password.
                local all all              scram-sha-256
                host  all all 127.0.0.1/32 scram-sha-256
                """;
        if (!Files.readString(hba).equals(wanted)) {
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                c.unwrap(PGConnection.class).alterUserPassword("postgres", superuserPassword.toCharArray(), "scram-sha-256");
                Files.writeString(hba, wanted);
                s.execute("SELECT pg_reload_conf()");
            }
        }
    }

    /** Where the superuser's password is kept: {@code keys/postgres.key} beside the PostgreSQL data directory. */
    public static Path superuserKeyFile(Path dataDir) {
        return dataDir.toAbsolutePath().normalize().resolveSibling("keys").resolve("postgres.key");
    }

    /** The server whose data is in {@code dataDir}, started if it is not running. */
    public static EmbeddedPostgresServer startIfAbsent(Path dataDir, int port) {
        return RUNNING.computeIfAbsent(dataDir.toAbsolutePath().normalize(), dir -> new EmbeddedPostgresServer(dir, port));
    }

    /** Stops the server of {@code dataDir} if this process started one. */
    public static void stopIfRunning(Path dataDir) {
        EmbeddedPostgresServer server = RUNNING.remove(dataDir.toAbsolutePath().normalize());
        if (server != null) {
            server.close();
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
    }

    /** The superuser's password, for Cloudplane's own data source. */
    public String superuserPassword() {
        return superuserPassword;
    }

    /** The server of {@code dataDir} if this process started it. */
    static EmbeddedPostgresServer running(Path dataDir) {
        return RUNNING.get(dataDir.toAbsolutePath().normalize());
    }

    public int port() {
        return postgres.getPort();
    }

    private void close() {
        try {
            postgres.close();
            LOG.info("Embedded PostgreSQL in {} stopped", dataDir);
        } catch (IOException e) {
            LOG.warn("Embedded PostgreSQL did not stop cleanly", e);
        }
    }
}
