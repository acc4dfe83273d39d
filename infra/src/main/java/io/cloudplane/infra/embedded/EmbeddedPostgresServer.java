package io.cloudplane.infra.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * PostgreSQL 15 from zonky's binaries, for Cloudplane's own state and the environments' databases.
 * Its data lives under the data directory and survives restarts; it listens on 127.0.0.1 only.
 * It is started by {@link EmbeddedPostgresResolver} the first time the configuration asks for
 * {@code ${embedded-postgres.url}}, which happens only when no external database is configured.
 */
public final class EmbeddedPostgresServer {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final Map<Path, EmbeddedPostgresServer> RUNNING = new ConcurrentHashMap<>();
    private final EmbeddedPostgres postgres;
    private final Path dataDir;

    private EmbeddedPostgresServer(Path dataDir, int port) {
        this.dataDir = dataDir;
        OrphanedPostmaster.stopIfAny(dataDir);
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPGStartupWait(Duration.ofSeconds(30))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "300");
            if (port > 0) {
                builder.setPort(port);
            }
            this.postgres = builder.start();
            requirePasswordsForEnvironmentRoles();
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("Embedded PostgreSQL did not start in " + dataDir + ": " + e.getMessage(), e);
        }
        LOG.info("Embedded PostgreSQL is listening on 127.0.0.1:{} with its data in {}", postgres.getPort(), dataDir);
    }

    /**
     * initdb trusts every local login. The control plane's superuser keeps that on loopback, but the
     * environments' roles must present their own passwords, so that no environment can open
     * another one's database.
     */
    private void requirePasswordsForEnvironmentRoles() throws IOException, SQLException {
        Path hba = dataDir.resolve("pg_hba.conf");
        String wanted = """
                # Managed by Cloudplane: the superuser is trusted on loopback only; every other role needs its password.
                local all postgres trust
                host  all postgres 127.0.0.1/32 trust
                host  all all      127.0.0.1/32 scram-sha-256
                """;
        if (!Files.readString(hba).equals(wanted)) {
            Files.writeString(hba, wanted);
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("SELECT pg_reload_conf()");
            }
        }
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
