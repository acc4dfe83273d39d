package io.cloudplane.infra.backup;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Row counts and checksums of every table of a database, as one connection sees it. The checksum
 * is the sum of each row's 64-bit hash ({@code hashtextextended} of the row's text, the hash
 * PostgreSQL's hash partitioning uses): it does not depend on row order, the server computes it in
 * one pass with constant memory, several times faster than MD5, and a copy restored on the same
 * server must give the same figures.
 */
public final class TableFingerprints {
    private TableFingerprints() {
    }

    /** Table ("schema.table") to fingerprint, in name order. */
    public static Map<String, Fingerprint> of(Connection c) throws SQLException {
        return of(c, () -> { });
    }

    /** As {@link #of(Connection)}, calling {@code beforeEachTable} (to heartbeat) as it goes. */
    public static Map<String, Fingerprint> of(Connection c, Runnable beforeEachTable) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
                     + "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND schemaname NOT LIKE 'pg_toast%' "
                     + "ORDER BY 1")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        Map<String, Fingerprint> result = new TreeMap<>();
        for (String table : tables) {
            beforeEachTable.run();
            // The name comes from quote_ident above.
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)::numeric), 0)::text "
                         + "FROM " + table + " t")) {
                rs.next();
                result.put(table, new Fingerprint(rs.getLong(1), rs.getString(2)));
            } catch (SQLException e) {
                if (INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                    throw new UnreadableTableException(table, c.getMetaData().getUserName(), e);
                }
                throw e;
            }
        }
        return result;
    }

    public record Fingerprint(long rows, String checksum) {
    }

    /** PostgreSQL's SQLSTATE for "permission denied". */
    static final String INSUFFICIENT_PRIVILEGE = "42501";

    /**
     * A table the reading role may not read: typically one another role (the superuser, say) created
     * in the environment's database, which its own role then does not own. Nothing changes until
     * someone grants it or changes its owner, so retrying is pointless.
     */
    public static class UnreadableTableException extends SQLException {
        private final String table;

        public UnreadableTableException(String table, String role, SQLException cause) {
            super("permission denied on table " + table + ": the environment's role " + role + " may not read it "
                    + "(it was created by another role; make " + role + " its owner, or grant it SELECT)",
                    INSUFFICIENT_PRIVILEGE, cause);
            this.table = table;
        }

        public String table() {
            return table;
        }
    }
}
