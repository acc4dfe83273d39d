package io.cloudplane.activities.backup;

import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.activities.common.Failures;
import io.cloudplane.activities.environment.EnvironmentLookup;
import io.cloudplane.infra.backup.PgTools;
import io.cloudplane.infra.backup.TarStreams;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.database.DatabaseProvisioner;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.backup.BackupRecord;
import io.cloudplane.infra.backup.BackupRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.storage.ObjectStore;
import io.cloudplane.workflows.backup.RestoreActivities;
import io.temporal.failure.ApplicationFailure;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import software.amazon.awssdk.core.exception.SdkException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.UUID;
import java.util.stream.Stream;

@Singleton
public class RestoreActivitiesImpl implements RestoreActivities, ControlPlaneActivities {
    private final BackupRepository backups;
    private final EnvironmentLookup lookup;
    private final DatabaseProvisioner databases;
    private final EnvironmentFiles files;
    /** Looked up at first use: the embedded S3 server starts with the first backup, not with the process. */
    private final Provider<ObjectStore> store;
    private final PgTools tools;
    private final SecretBox secrets;
    private final BackupActivitiesImpl backupParts;

    public RestoreActivitiesImpl(BackupRepository backups, EnvironmentLookup lookup, DatabaseProvisioner databases,
                                 EnvironmentFiles files, Provider<ObjectStore> store, PgTools tools, SecretBox secrets,
                                 BackupActivitiesImpl backupParts) {
        this.backups = backups;
        this.lookup = lookup;
        this.databases = databases;
        this.files = files;
        this.store = store;
        this.tools = tools;
        this.secrets = secrets;
        this.backupParts = backupParts;
    }

    private static String restored(String restoreId) {
        return "rst_" + restoreId.replace("-", "");
    }

    private static String keptAside(String restoreId) {
        return "old_" + restoreId.replace("-", "");
    }

    @Override
    public String restoreDatabase(String restoreId, String envId, String backupId) {
        EnvironmentRecord env = lookup.require(envId);
        BackupRecord backup = requireRestorable(env, backupId);
        BackupManifest manifest = backupParts.readManifest(backup);
        try {
            tools.requireAtLeast(tools.pgRestore(), databases.serverMajorVersion());
        } catch (PgTools.ToolTooOldException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), "InvalidInput");
        }
        String target = restored(restoreId);
        String password = secrets.decrypt(env.dbPassword());
        if (!databases.databaseExists(target) && databases.databaseExists(keptAside(restoreId))) {
            return "already restored and swapped in";
        }
        databases.dropDatabaseOnly(target); // a retried attempt starts clean
        databases.createDatabaseOwnedBy(target, env.dbName());
        String problem = backupParts.restoreInto(target, env.dbName(), password, manifest.database());
        if (problem != null) {
            databases.dropDatabaseOnly(target);
            throw ApplicationFailure.newNonRetryableFailure(problem, "RestoreMismatch");
        }
        // The stored dump's SHA-256 matched the manifest (restoreInto checks it as it streams): these are
        // the very bytes that the backup's verification restored and compared table by table, so the
        // fingerprints are not computed a second time.
        long rows = manifest.tables().values().stream().mapToLong(BackupManifest.Table::rows).sum();
        return manifest.tables().size() + " tables, " + rows + " rows restored from a dump whose SHA-256 matches the verified backup's";
    }

    @Override
    public void swapDatabase(String restoreId, String envId) {
        EnvironmentRecord env = lookup.require(envId);
        String incoming = restored(restoreId);
        if (!databases.databaseExists(incoming)) {
            return; // swapped on an earlier attempt
        }
        if (databases.databaseExists(env.dbName())) {
            databases.renameDatabase(env.dbName(), keptAside(restoreId));
        }
        databases.renameDatabase(incoming, env.dbName());
    }

    @Override
    public void restoreFiles(String restoreId, String envId, String backupId) {
        EnvironmentRecord env = lookup.require(envId);
        BackupRecord backup = requireRestorable(env, backupId);
        BackupManifest manifest = backupParts.readManifest(backup);
        Path dir = files.resourcesDir(envId);
        Path incoming = dir.resolveSibling(dir.getFileName() + ".restore-" + restoreId);
        Path kept = dir.resolveSibling(dir.getFileName() + ".kept-" + restoreId);
        try {
            if (Files.exists(kept) && !Files.exists(incoming)) {
                return; // swapped on an earlier attempt
            }
            deleteTree(incoming);
            MessageDigest sha256 = BackupActivitiesImpl.sha256();
            try (InputStream in = new DigestInputStream(BackupActivitiesImpl.heartbeating(store.get().get(manifest.files().key())), sha256)) {
                TarStreams.extract(in, incoming);
                in.transferTo(java.io.OutputStream.nullOutputStream()); // the tar's padding, for the digest
            }
            String digest = HexFormat.of().formatHex(sha256.digest());
            if (!digest.equals(manifest.files().sha256())) {
                deleteTree(incoming);
                throw ApplicationFailure.newNonRetryableFailure("the stored files' SHA-256 is " + digest + ", the manifest says "
                        + manifest.files().sha256(), "RestoreMismatch");
            }
            if (Files.exists(dir)) {
                Files.move(dir, kept, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(incoming, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | SdkException e) {
            throw ApplicationFailure.newFailureWithCause("restoring the resource files failed: " + e.getMessage(), "Files", e);
        }
    }

    @Override
    public void revert(String restoreId, String envId) {
        EnvironmentRecord env = lookup.require(envId);
        String old = keptAside(restoreId);
        if (databases.databaseExists(old)) {
            databases.dropDatabaseOnly(env.dbName()); // the restored one
            databases.renameDatabase(old, env.dbName());
        }
        databases.dropDatabaseOnly(restored(restoreId));
        Path dir = files.resourcesDir(envId);
        Path kept = dir.resolveSibling(dir.getFileName() + ".kept-" + restoreId);
        try {
            if (Files.exists(kept)) {
                deleteTree(dir);
                Files.move(kept, dir, StandardCopyOption.ATOMIC_MOVE);
            }
            deleteTree(dir.resolveSibling(dir.getFileName() + ".restore-" + restoreId));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void discardKeptAside(String restoreId, String envId) {
        databases.dropDatabaseOnly(keptAside(restoreId));
        Path dir = files.resourcesDir(envId);
        try {
            deleteTree(dir.resolveSibling(dir.getFileName() + ".kept-" + restoreId));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private BackupRecord requireRestorable(EnvironmentRecord env, String backupId) {
        BackupRecord backup = backups.findById(UUID.fromString(backupId))
                .orElseThrow(() -> Failures.notFound("backup " + backupId + " does not exist"));
        if (!backup.appId().equals(env.appId()) || backup.status() != BackupRecord.Status.COMPLETED) {
            throw Failures.invalid("backup " + backupId + " is not a completed backup of this app");
        }
        return backup;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
