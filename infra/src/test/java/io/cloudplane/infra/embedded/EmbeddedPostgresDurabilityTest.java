package io.cloudplane.infra.embedded;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The embedded PostgreSQL acknowledges only durable commits: zonky starts it with fsync and
 * synchronous_commit off, for throwaway test databases; Cloudplane's is started with both on, and
 * full page writes too, as the running server reports them.
 */
class EmbeddedPostgresDurabilityTest {

    @Test
    void acknowledgesOnlyDurableCommits() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "pg-durable-").toAbsolutePath().resolve("postgres");
        try {
            EmbeddedPostgresServer server = EmbeddedPostgresServer.startIfAbsent(dataDir, 0);
            try (Connection c = DriverManager.getConnection(server.jdbcUrl(), "postgres", server.superuserPassword())) {
                assertEquals("on", show(c, "synchronous_commit"));
                assertEquals("on", show(c, "fsync"));
                assertEquals("on", show(c, "full_page_writes"));
            }
        } finally {
            EmbeddedPostgresServer.stopIfRunning(dataDir);
        }
    }

    private static String show(Connection c, String setting) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
