package io.cloudplane.infra.backup;

import io.cloudplane.infra.database.DatabaseProvisioner;
import io.micronaut.context.annotation.Value;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pg_dump and pg_restore against the embedded PostgreSQL, with the fingerprints that tie a restore to its dump. */
@MicronautTest(transactional = false)
class DatabaseDumpsTest {
    private static final String PASSWORD = io.cloudplane.infra.crypto.RandomTokens.alphanumeric(32);
    @Inject DatabaseDumps dumps;
    @Inject DatabaseProvisioner databases;
    @Value("${datasources.default.username}") String superuser;
    @Value("${datasources.default.password}") String superuserPassword;
    private final List<String> sources = new ArrayList<>();
    private final List<String> targets = new ArrayList<>();

    @AfterEach
    void dropDatabases() {
        targets.forEach(databases::dropDatabaseOnly); // before the roles that own them
        sources.forEach(databases::dropDatabase);
    }

    /** An environment's database, with its own role, holding three tables. */
    static String sampleDatabase(DatabaseProvisioner databases, String password) throws SQLException {
        String name = "env_" + UUID.randomUUID().toString().replace("-", "");
        databases.ensureDatabase(name, password);
        try (Connection c = connect(databases, name, name, password); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE customers (id serial primary key, name text not null)");
            s.execute("CREATE TABLE items (id bigint primary key, customer_id int references customers (id), payload jsonb)");
            s.execute("CREATE TABLE notes (body text)");
            s.execute("INSERT INTO customers (name) SELECT 'customer ' || g FROM generate_series(1, 50) g");
            s.execute("INSERT INTO items SELECT g, 1 + g % 50, jsonb_build_object('n', g) FROM generate_series(1, 500) g");
            s.execute("INSERT INTO notes VALUES ('héllo'), (NULL), ('')");
        }
        return name;
    }

    static Connection connect(DatabaseProvisioner databases, String database, String role, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", role);
        props.setProperty("password", password);
        return DriverManager.getConnection(databases.jdbcUrlFor(database), props);
    }

    @Test
    void aDumpAndItsFingerprintsRestoreToTheSameFigures() throws Exception {
        String source = sampleDatabase(databases, PASSWORD);
        sources.add(source);
        DatabaseDumps.Dump<byte[]> dump = dumps.dump(source, PASSWORD, in -> {
            try {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Progress.NONE);
        assertTrue(dump.serverVersion().contains("PostgreSQL 15"), dump.serverVersion());
        assertEquals(List.of("public.customers", "public.items", "public.notes"), List.copyOf(dump.tables().keySet()));
        assertEquals(500, dump.tables().get("public.items").rows());
        assertEquals(3, dump.tables().get("public.notes").rows());

        String target = "rst_" + UUID.randomUUID().toString().replace("-", "");
        databases.createDatabaseOwnedBy(target, source);
        targets.add(target);
        dumps.restore(target, source, PASSWORD, new ByteArrayInputStream(dump.stored()), Progress.NONE);
        Map<String, TableFingerprints.Fingerprint> restored = dumps.fingerprints(target, source, PASSWORD, Progress.NONE);
        assertEquals(dump.tables(), restored, "row counts and checksums of the restore are the dump's");
    }

    @Test
    void aDumpThatDoesNotRestoreIsThePgRestoreFailureWithItsErrorOutput() throws Exception {
        String source = sampleDatabase(databases, PASSWORD);
        sources.add(source);
        byte[] whole = dumps.dump(source, PASSWORD, in -> {
            try {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Progress.NONE).stored();
        String target = "rst_" + UUID.randomUUID().toString().replace("-", "");
        databases.createDatabaseOwnedBy(target, source);
        targets.add(target);
        byte[] truncated = Arrays.copyOf(whole, whole.length / 2);
        ToolProcess.ToolFailedException e = assertThrows(ToolProcess.ToolFailedException.class,
                () -> dumps.restore(target, source, PASSWORD, new ByteArrayInputStream(truncated), Progress.NONE));
        assertTrue(e.getMessage().startsWith("pg_restore failed (exit "), e.getMessage());
    }

    @Test
    void aDatabaseThatCannotBeReadIsASqlFailureAndNothingIsSunk() throws Exception {
        String source = sampleDatabase(databases, PASSWORD);
        sources.add(source);
        List<String> sunk = new ArrayList<>();
        assertThrows(SQLException.class, () -> dumps.dump(source, "NotThePassword0123456789", in -> {
            sunk.add("called");
            return null;
        }, Progress.NONE));
        assertEquals(List.of(), sunk);
    }

    /**
     * The month-in-an-hour run's backups that failed at DUMPING with "password authentication failed
     * for user env_…": each was of an environment whose provisioning had failed, so its database and
     * role were torn down while its backup schedule went on. PostgreSQL answers a missing role as it
     * answers a wrong password; the dump must say what is really wrong.
     */
    @Test
    void aDatabaseTornDownWithItsRoleIsNamedMissingNotAWrongPassword() throws Exception {
        String source = sampleDatabase(databases, PASSWORD);
        databases.dropDatabase(source); // what a failed provisioning's clean-up does
        List<String> sunk = new ArrayList<>();
        DatabaseDumps.MissingDatabaseException e = assertThrows(DatabaseDumps.MissingDatabaseException.class,
                () -> dumps.dump(source, PASSWORD, in -> {
                    sunk.add("called");
                    return null;
                }, Progress.NONE));
        assertEquals("database " + source + " and its role do not exist", e.getMessage());
        assertTrue(e.getCause().getMessage().contains("password authentication failed"),
                "what PostgreSQL itself says of a missing role: " + e.getCause().getMessage());
        assertEquals(List.of(), sunk);
    }

    @Test
    void aWrongPasswordForADatabaseThatExistsIsNotCalledMissing() throws Exception {
        String source = sampleDatabase(databases, PASSWORD);
        sources.add(source);
        SQLException e = assertThrows(SQLException.class,
                () -> dumps.dump(source, "NotThePassword0123456789", in -> null, Progress.NONE));
        assertFalse(e instanceof DatabaseDumps.MissingDatabaseException, e.getMessage());
        assertTrue(e.getMessage().contains("password authentication failed"), e.getMessage());
    }

    /**
     * A table the superuser created in an environment's database cannot be read by the environment's
     * role: the fingerprint query is refused, which aborts the transaction that exported the
     * snapshot, and pg_dump then fails with "could not import the requested snapshot". The failure
     * reported is the refused table, by name.
     */
    @Test
    void aTableTheEnvironmentsRoleMayNotReadFailsTheDumpNamingTheTable() throws Exception {
        String source = sampleDatabase(databases, PASSWORD);
        sources.add(source);
        try (Connection c = connect(databases, source, superuser, superuserPassword); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE audit_trail (id int primary key, what text)");
            s.execute("INSERT INTO audit_trail VALUES (1, 'created by the superuser')");
        }
        TableFingerprints.UnreadableTableException e = assertThrows(TableFingerprints.UnreadableTableException.class,
                () -> dumps.dump(source, PASSWORD, in -> {
                    try {
                        return in.readAllBytes();
                    } catch (IOException io) {
                        throw new UncheckedIOException(io);
                    }
                }, Progress.NONE));
        assertEquals("public.audit_trail", e.table());
        assertTrue(e.getMessage().startsWith("permission denied on table public.audit_trail: the environment's role "
                + source + " may not read it"), e.getMessage());
        assertFalse(e.getMessage().contains("snapshot"), e.getMessage());
    }
}
