package io.cloudplane.infra.database;

import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import javax.sql.DataSource;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;

/**
 * Creates environment databases on the server of Cloudplane's own data source, which therefore
 * needs CREATEDB and CREATEROLE (the embedded server's superuser has both). It need not be a
 * superuser (Amazon RDS's master user is not one): to create, rename or drop a database owned by an
 * environment's role, PostgreSQL wants the current user to be a member of that role, which a
 * CREATEROLE user is not by itself. On PostgreSQL 15 a CREATEROLE user may grant itself any
 * non-superuser role; from 16 on the creator of a role holds ADMIN on it, but without INHERIT or
 * SET, and may grant it to itself as well. So {@link #ensureMember} grants each environment role to
 * the current user before any database of that role is touched; the grant goes with the role.
 */
@Singleton
public class PostgresDatabaseProvisioner implements DatabaseProvisioner {
    private static final Pattern SAFE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    private static final Pattern SAFE_PASSWORD = Pattern.compile("[A-Za-z0-9]{16,128}");
    private final DataSource admin;
    private volatile String serverAddress;

    public PostgresDatabaseProvisioner(@Named("default") DataSource admin) {
        // DDL such as CREATE DATABASE cannot run in a transaction: use the pool itself, never the
        // connection of a surrounding transaction.
        this.admin = DelegatingDataSource.unwrapDataSource(admin);
    }

    @Override
    public void ensureDatabase(String name, String password) {
        requireSafe(name);
        if (!SAFE_PASSWORD.matcher(password).matches()) {
            throw new IllegalArgumentException("generated passwords are 16 to 128 letters and digits");
        }
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            // Identifiers and password are checked above: DDL takes no bind parameters.
            if (roleExists(c, name)) {
                s.execute("ALTER ROLE " + name + " WITH LOGIN PASSWORD '" + password + "'");
            } else {
                s.execute("CREATE ROLE " + name + " WITH LOGIN PASSWORD '" + password + "'");
            }
            ensureMember(c, name);
            if (!databaseExists(c, name)) {
                s.execute("CREATE DATABASE " + name + " OWNER " + name);
            }
            s.execute("REVOKE CONNECT ON DATABASE " + name + " FROM PUBLIC");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create database " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void dropDatabase(String name) {
        requireSafe(name);
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            ensureMemberOfOwner(c, name);
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("DROP ROLE IF EXISTS " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not drop database " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean databaseExists(String name) {
        try (Connection c = admin.getConnection()) {
            return databaseExists(c, name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean roleExists(String name) {
        try (Connection c = admin.getConnection()) {
            return roleExists(c, name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public java.util.Map<String, Long> databaseSizes(java.util.Collection<String> names) {
        java.util.Map<String, Long> sizes = new java.util.HashMap<>();
        if (names.isEmpty()) {
            return sizes;
        }
        try (Connection c = admin.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT datname, pg_database_size(datname) FROM pg_database WHERE datname = ANY(?)")) {
            s.setArray(1, c.createArrayOf("text", names.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    sizes.put(rs.getString(1), rs.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read database sizes: " + e.getMessage(), e);
        }
        return sizes;
    }

    @Override
    public String jdbcUrlFor(String name) {
        requireSafe(name);
        return "jdbc:postgresql://" + serverAddress() + "/" + name;
    }

    @Override
    public String host() {
        String address = serverAddress();
        return address.substring(0, address.lastIndexOf(':'));
    }

    @Override
    public int port() {
        String address = serverAddress();
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    @Override
    public int serverMajorVersion() {
        try (Connection c = admin.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW server_version_num")) {
            rs.next();
            return Integer.parseInt(rs.getString(1)) / 10000;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void createDatabaseOwnedBy(String name, String ownerRole) {
        requireSafe(name);
        requireSafe(ownerRole);
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            ensureMember(c, ownerRole);
            if (!databaseExists(c, name)) {
                s.execute("CREATE DATABASE " + name + " OWNER " + ownerRole);
            }
            s.execute("REVOKE CONNECT ON DATABASE " + name + " FROM PUBLIC");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create database " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void dropDatabaseOnly(String name) {
        requireSafe(name);
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            ensureMemberOfOwner(c, name);
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not drop database " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void renameDatabase(String from, String to) {
        requireSafe(from);
        requireSafe(to);
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            ensureMemberOfOwner(c, from);
            try (PreparedStatement kill = c.prepareStatement(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
                kill.setString(1, from);
                kill.execute();
            }
            s.execute("ALTER DATABASE " + from + " RENAME TO " + to);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not rename database " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }

    private String serverAddress() {
        if (serverAddress == null) {
            try (Connection c = admin.getConnection()) {
                URI uri = URI.create(c.getMetaData().getURL().substring("jdbc:".length()));
                serverAddress = uri.getHost() + ":" + (uri.getPort() > 0 ? uri.getPort() : 5432);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        return serverAddress;
    }

    /**
     * Makes the current user a member of {@code role} (with its privileges, and allowed to act as
     * it), unless it already is: a superuser always is. Owning a database through the role is what
     * CREATE DATABASE … OWNER, DROP DATABASE (… WITH (FORCE), which ends the role's sessions) and
     * ALTER DATABASE … RENAME ask of a user that is not a superuser.
     */
    private static void ensureMember(Connection c, String role) throws SQLException {
        requireSafe(role);
        if (!exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ? AND NOT pg_has_role(current_user, oid, 'USAGE')", role)) {
            return; // absent, or its privileges are already the current user's
        }
        try (Statement s = c.createStatement()) {
            s.execute("GRANT " + role + " TO CURRENT_USER");
        }
    }

    /** {@link #ensureMember} for the owner of {@code database}, if that database exists and its owner's privileges are not yet the current user's. */
    private static void ensureMemberOfOwner(Connection c, String database) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT r.rolname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba "
                + "WHERE d.datname = ? AND NOT pg_has_role(current_user, r.oid, 'USAGE')")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    ensureMember(c, rs.getString(1));
                }
            }
        }
    }

    private static boolean databaseExists(Connection c, String name) throws SQLException {
        return exists(c, "SELECT 1 FROM pg_database WHERE datname = ?", name);
    }

    private static boolean roleExists(Connection c, String name) throws SQLException {
        return exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", name);
    }

    private static boolean exists(Connection c, String sql, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void requireSafe(String name) {
        if (!SAFE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a valid database name: " + name);
        }
    }
}
