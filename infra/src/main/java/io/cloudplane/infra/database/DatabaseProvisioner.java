package io.cloudplane.infra.database;

/** Per-environment PostgreSQL databases. Database and login role share one name. */
public interface DatabaseProvisioner {

    /** Creates the role (or resets its password) and the database it owns, if absent. */
    void ensureDatabase(String name, String password);

    /** Drops the database and its role if present, disconnecting any session first. */
    void dropDatabase(String name);

    boolean databaseExists(String name);

    boolean roleExists(String name);

    /** The JDBC URL an environment's server uses to reach its database. */
    String jdbcUrlFor(String name);

    /** The on-disk size of each of these databases, in one query; absent ones are left out. */
    java.util.Map<String, Long> databaseSizes(java.util.Collection<String> names);

    /** Host and port of the database server, as client tools (pg_dump, psql) reach it. */
    String host();

    int port();

    /** The server's major version (15 for 15.19). */
    int serverMajorVersion();

    /** Creates an empty database owned by {@code ownerRole} (scratch databases for verification and restores). */
    void createDatabaseOwnedBy(String name, String ownerRole);

    /** Drops a database, not its role; disconnects its sessions first. Absent is fine. */
    void dropDatabaseOnly(String name);

    /** Renames {@code from} to {@code to}; both must have no sessions, which this forces. */
    void renameDatabase(String from, String to);
}
