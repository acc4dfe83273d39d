package io.cloudplane.infra.databases;

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
}
