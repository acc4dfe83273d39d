package io.cloudplane.infra.backup;

import io.cloudplane.infra.database.DatabaseProvisioner;
import jakarta.inject.Singleton;

/**
 * Replaces an environment's database by another in two renames, keeping the old one aside until
 * the caller knows whether to keep the new one. A swap has an ID (a restore's): the incoming
 * database is {@code rst_<id>}, the one kept aside {@code old_<id>}, so that every step can be
 * retried and a crashed attempt is found where it stopped.
 */
@Singleton
public class DatabaseSwap {
    private final DatabaseProvisioner databases;

    public DatabaseSwap(DatabaseProvisioner databases) {
        this.databases = databases;
    }

    public static String incoming(String swapId) {
        return "rst_" + swapId.replace("-", "");
    }

    public static String keptAside(String swapId) {
        return "old_" + swapId.replace("-", "");
    }

    /** True once {@link #swapIn} has run: the old database is aside and the incoming one in place. */
    public boolean swappedIn(String swapId) {
        return !databases.databaseExists(incoming(swapId)) && databases.databaseExists(keptAside(swapId));
    }

    /**
     * A fresh, empty incoming database for {@code database}, owned by its role (whatever an earlier
     * attempt left is dropped); its name.
     */
    public String prepareIncoming(String database, String swapId) {
        String incoming = incoming(swapId);
        databases.dropDatabaseOnly(incoming);
        databases.createDatabaseOwnedBy(incoming, database);
        return incoming;
    }

    public void dropIncoming(String swapId) {
        databases.dropDatabaseOnly(incoming(swapId));
    }

    /** Puts {@code database} aside (if it exists) and the incoming database in its place. Idempotent. */
    public void swapIn(String database, String swapId) {
        String incoming = incoming(swapId);
        if (!databases.databaseExists(incoming)) {
            return; // swapped on an earlier attempt
        }
        if (databases.databaseExists(database)) {
            databases.renameDatabase(database, keptAside(swapId));
        }
        databases.renameDatabase(incoming, database);
    }

    /** Puts the database kept aside back as {@code database}, if it was swapped, and drops the incoming one. Idempotent. */
    public void revert(String database, String swapId) {
        String old = keptAside(swapId);
        if (databases.databaseExists(old)) {
            databases.dropDatabaseOnly(database); // the incoming one, swapped in
            databases.renameDatabase(old, database);
        }
        databases.dropDatabaseOnly(incoming(swapId));
    }

    /** The swap is final: the database kept aside goes. Idempotent. */
    public void dropKept(String swapId) {
        databases.dropDatabaseOnly(keptAside(swapId));
    }
}
