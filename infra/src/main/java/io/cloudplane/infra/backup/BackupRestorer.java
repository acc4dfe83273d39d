package io.cloudplane.infra.backup;

import io.cloudplane.infra.database.DatabaseProvisioner;
import jakarta.inject.Singleton;
import software.amazon.awssdk.core.exception.SdkException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A stored backup brought back: its dump into a database, its files into a folder, each checked
 * against the manifest's SHA-256 as it streams; and the trial restore into a scratch database
 * that verifies a backup before it counts as one.
 */
@Singleton
public class BackupRestorer {
    private final BackupArchive archive;
    private final DatabaseDumps dumps;
    private final DatabaseProvisioner databases;

    public BackupRestorer(BackupArchive archive, DatabaseDumps dumps, DatabaseProvisioner databases) {
        this.archive = archive;
        this.dumps = dumps;
        this.databases = databases;
    }

    /** A verification's outcome and what it found. */
    public record Verdict(boolean passed, String detail) {
    }

    /** Fails with {@link PgTools.ToolTooOldException} when pg_restore cannot write to the database server. */
    public void requireRestoreTool() {
        dumps.requireRestoreTool();
    }

    /**
     * Restores the stored dump into {@code database} (which {@code role} owns): null when it
     * restored and its bytes are the manifest's, else the problem.
     *
     * @throws BackupArchive.ReadFailedException when the dump could not be read
     */
    public String restoreDatabase(BackupManifest.Part dump, String database, String role, String password, Progress progress) {
        BackupArchive.CheckedPart in = null;
        try {
            in = archive.open(dump, progress);
            dumps.restore(database, role, password, in, progress);
        } catch (ToolProcess.ToolFailedException e) {
            return "the stored dump does not restore: " + e.getMessage();
        } catch (IOException e) {
            throw new BackupArchive.ReadFailedException(e.getMessage(), e);
        } catch (SdkException e) {
            throw new BackupArchive.ReadFailedException("reading the stored dump failed: " + e.getMessage(), e);
        } finally {
            closeQuietly(in);
        }
        return in.matches() ? null : "the stored dump's SHA-256 is " + in.sha256() + ", the manifest says " + in.expectedSha256();
    }

    /**
     * Unpacks the stored files into {@code dir}: null when their bytes are the manifest's, else the
     * problem (what was unpacked is then not to be used).
     */
    public String restoreFiles(BackupManifest.Part files, Path dir, Progress progress) throws IOException {
        String sha256;
        try (BackupArchive.CheckedPart in = archive.open(files, progress)) {
            TarStreams.extract(in, dir);
            in.transferTo(OutputStream.nullOutputStream()); // the tar's padding, for the digest
            if (in.matches()) {
                return null;
            }
            sha256 = in.sha256();
        } catch (SdkException e) {
            throw new IOException(e.getMessage(), e);
        }
        return "the stored files' SHA-256 is " + sha256 + ", the manifest says " + files.sha256();
    }

    /**
     * Restores the backup's stored dump into a scratch database (dropped afterwards) and compares
     * it with the manifest, table by table, and both parts with their SHA-256.
     *
     * @throws SQLException when the scratch database cannot be read
     */
    public Verdict verify(UUID backupId, BackupManifest manifest, String role, String password, Progress progress)
            throws SQLException {
        requireRestoreTool();
        String scratch = "vfy_" + backupId.toString().replace("-", "");
        databases.dropDatabaseOnly(scratch); // a retried attempt starts clean
        databases.createDatabaseOwnedBy(scratch, role);
        try {
            String restoreProblem = restoreDatabase(manifest.database(), scratch, role, password, progress);
            if (restoreProblem != null) {
                return new Verdict(false, restoreProblem);
            }
            String filesProblem = archive.checkDigest(manifest.files(), progress);
            if (filesProblem != null) {
                return new Verdict(false, filesProblem);
            }
            Map<String, TableFingerprints.Fingerprint> restored = dumps.fingerprints(scratch, role, password, progress);
            List<String> differences = manifest.differencesFrom(restored);
            if (!differences.isEmpty()) {
                return new Verdict(false, String.join("; ", differences));
            }
            return new Verdict(true, "restored into a scratch database: " + manifest.tables().size() + " tables, "
                    + manifest.sumOfRows() + " rows, row counts and checksums match; both parts match their SHA-256");
        } finally {
            databases.dropDatabaseOnly(scratch);
        }
    }

    private static void closeQuietly(AutoCloseable in) {
        if (in == null) {
            return;
        }
        try {
            in.close();
        } catch (Exception ignored) {
            // what was read is what the digest covers; a failure to let go of the connection changes nothing
        }
    }
}
