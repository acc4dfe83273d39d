package io.cloudplane.infra.backup;

import io.cloudplane.infra.database.DatabaseProvisioner;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Swapping an environment's database on the embedded PostgreSQL: in, back, and for good, each step retried. */
@MicronautTest(transactional = false)
class DatabaseSwapTest {
    private static final String PASSWORD = io.cloudplane.infra.crypto.RandomTokens.alphanumeric(32);
    @Inject DatabaseSwap swap;
    @Inject DatabaseProvisioner databases;
    private String database;
    private String swapId;

    @BeforeEach
    void setUp() throws Exception {
        database = "env_" + UUID.randomUUID().toString().replace("-", "");
        swapId = UUID.randomUUID().toString();
        databases.ensureDatabase(database, PASSWORD);
        mark(database, "old");
    }

    @AfterEach
    void tearDown() {
        databases.dropDatabaseOnly(DatabaseSwap.incoming(swapId));
        databases.dropDatabaseOnly(DatabaseSwap.keptAside(swapId));
        databases.dropDatabase(database);
    }

    private void mark(String db, String value) throws Exception {
        try (Connection c = DatabaseDumpsTest.connect(databases, db, database, PASSWORD); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE marker (value text)");
            s.execute("INSERT INTO marker VALUES ('" + value + "')");
        }
    }

    private String marker() throws Exception {
        try (Connection c = DatabaseDumpsTest.connect(databases, database, database, PASSWORD); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT value FROM marker")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void aSwapPutsTheIncomingDatabaseInPlaceAndKeepsTheOldOneUntilDropped() throws Exception {
        String incoming = swap.prepareIncoming(database, swapId);
        assertEquals(DatabaseSwap.incoming(swapId), incoming);
        mark(incoming, "new"); // the environment's role owns it
        assertFalse(swap.swappedIn(swapId));

        swap.swapIn(database, swapId);
        swap.swapIn(database, swapId); // a retry after a lost answer
        assertTrue(swap.swappedIn(swapId));
        assertEquals("new", marker());

        swap.dropKept(swapId);
        swap.dropKept(swapId);
        assertFalse(databases.databaseExists(DatabaseSwap.keptAside(swapId)));
        assertEquals("new", marker());
    }

    @Test
    void revertingPutsTheOldDatabaseBackWhereverTheSwapStopped() throws Exception {
        mark(swap.prepareIncoming(database, swapId), "new");
        swap.swapIn(database, swapId);
        swap.revert(database, swapId);
        swap.revert(database, swapId);
        assertEquals("old", marker());
        assertFalse(databases.databaseExists(DatabaseSwap.keptAside(swapId)));

        swap.prepareIncoming(database, swapId); // never swapped in
        swap.revert(database, swapId);
        assertEquals("old", marker());
        assertFalse(databases.databaseExists(DatabaseSwap.incoming(swapId)));
    }

    @Test
    void preparingAgainStartsFromAnEmptyDatabase() throws Exception {
        mark(swap.prepareIncoming(database, swapId), "half-restored");
        String again = swap.prepareIncoming(database, swapId);
        try (Connection c = DatabaseDumpsTest.connect(databases, again, database, PASSWORD); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")) {
            rs.next();
            assertEquals(0, rs.getInt(1));
        }
        swap.dropIncoming(swapId);
        assertFalse(databases.databaseExists(again));
    }
}
