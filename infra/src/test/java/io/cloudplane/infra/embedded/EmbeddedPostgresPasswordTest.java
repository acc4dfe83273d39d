package io.cloudplane.infra.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded PostgreSQL's superuser needs its generated password, over TCP on loopback and over
 * the Unix socket, tried as any local process would (psql and JDBC); a data directory from before,
 * whose pg_hba.conf trusted postgres, is upgraded on its first start and keeps its data.
 */
class EmbeddedPostgresPasswordTest {

    @Test
    void theSuperuserIsRefusedWithoutItsPasswordAndAdmittedWithIt() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "pg-password-").toAbsolutePath().resolve("postgres");
        try {
            EmbeddedPostgresServer server = EmbeddedPostgresServer.startIfAbsent(dataDir, 0);
            Path keyFile = EmbeddedPostgresServer.superuserKeyFile(dataDir);
            String password = Files.readString(keyFile).trim();
            assertEquals(server.superuserPassword(), password);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));

            assertRefused(server, "");
            assertRefused(server, "wrong-" + password);
            assertEquals("1", query(server, password, "SELECT 1"));

            assertNotEquals(0, psql(server.port(), "127.0.0.1", null).exit(), "psql -h 127.0.0.1 -U postgres with no password");
            assertNotEquals(0, psql(server.port(), "/tmp", null).exit(), "psql over the Unix socket with no password");
            Psql admitted = psql(server.port(), "127.0.0.1", password);
            assertEquals(0, admitted.exit(), admitted.output());
        } finally {
            EmbeddedPostgresServer.stopIfRunning(dataDir);
        }
    }

    @Test
    void aDataDirectoryThatTrustedTheSuperuserIsUpgradedAndKeepsItsData() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "pg-upgrade-").toAbsolutePath().resolve("postgres");
        // The data directory as the previous release left it: postgres trusted on loopback.
        try (EmbeddedPostgres before = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).start()) {
            Files.writeString(dataDir.resolve("pg_hba.conf"), """
                    # Managed by Cloudplane: the superuser is trusted on loopback only; every other role needs its password.
                    local all postgres trust
                    host  all postgres 127.0.0.1/32 trust
                    host  all all      127.0.0.1/32 scram-sha-256
                    """);
            try (Connection c = before.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("SELECT pg_reload_conf()");
                s.execute("CREATE TABLE kept (note text)");
                s.execute("INSERT INTO kept VALUES ('from before')");
            }
        }
        try {
            EmbeddedPostgresServer server = EmbeddedPostgresServer.startIfAbsent(dataDir, 0);
            assertRefused(server, "");
            assertEquals("from before", query(server, server.superuserPassword(), "SELECT note FROM kept"));
        } finally {
            EmbeddedPostgresServer.stopIfRunning(dataDir);
        }
        try {
            EmbeddedPostgresServer again = EmbeddedPostgresServer.startIfAbsent(dataDir, 0);
            assertEquals("from before", query(again, again.superuserPassword(), "SELECT note FROM kept"), "a second start finds it upgraded");
            assertRefused(again, "");
        } finally {
            EmbeddedPostgresServer.stopIfRunning(dataDir);
        }
    }

    private static void assertRefused(EmbeddedPostgresServer server, String password) {
        SQLException refused = assertThrows(SQLException.class, () -> query(server, password, "SELECT 1"),
                "postgres with password '" + password + "' must be refused");
        assertTrue(List.of("28P01", "08004").contains(refused.getSQLState()), refused.getSQLState() + ": " + refused.getMessage());
    }

    private static String query(EmbeddedPostgresServer server, String password, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), "postgres", password);
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private record Psql(int exit, String output) {
    }

    /** psql as a local process would run it: {@code host} is 127.0.0.1 or the socket's directory; never prompts. */
    private static Psql psql(int port, String host, String password) throws Exception {
        String psql = List.of("/usr/bin/psql", "/usr/local/bin/psql").stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst()
                .orElseThrow(() -> new AssertionError("psql is missing: install Debian's postgresql-client (.ci/test does)"));
        List<String> command = new ArrayList<>(List.of(psql, "-w", "-h", host, "-p", Integer.toString(port), "-U", "postgres",
                "-d", "postgres", "-c", "SELECT 1"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(key -> key.startsWith("PG"));
        if (password != null) {
            builder.environment().putAll(Map.of("PGPASSWORD", password));
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "psql did not finish");
        return new Psql(process.exitValue(), output);
    }
}
