package io.cloudplane.activities.backup;

import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.activities.common.Failures;
import io.cloudplane.activities.environment.EnvironmentLookup;
import io.cloudplane.infra.backup.PgTools;
import io.cloudplane.infra.backup.TableFingerprints;
import io.cloudplane.infra.backup.TarStreams;
import io.cloudplane.infra.backup.ToolProcess;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.database.DatabaseProvisioner;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.backup.BackupRecord;
import io.cloudplane.infra.backup.BackupRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.storage.ObjectStore;
import io.cloudplane.workflows.backup.BackupActivities;
import io.cloudplane.workflows.backup.DumpResult;
import io.cloudplane.workflows.backup.FilesResult;
import io.cloudplane.workflows.backup.Retention;
import io.cloudplane.workflows.backup.VerifyResult;
import io.micronaut.json.JsonMapper;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import software.amazon.awssdk.core.exception.SdkException;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

@Singleton
public class BackupActivitiesImpl implements BackupActivities, ControlPlaneActivities {
    static final String DATABASE_PART = "database.dump";
    static final String FILES_PART = "files.tar";
    static final String MANIFEST = "manifest.json";
    private static final String DUMPING = "DUMPING";
    private static final String UPLOADING = "UPLOADING";
    private static final String VERIFYING = "VERIFYING";

    private final BackupRepository backups;
    private final EnvironmentLookup lookup;
    private final DatabaseProvisioner databases;
    private final EnvironmentFiles files;
    /** Looked up at first use: the embedded S3 server starts with the first backup, not with the process. */
    private final Provider<ObjectStore> store;
    private final PgTools tools;
    private final SecretBox secrets;
    private final JsonMapper json;

    public BackupActivitiesImpl(BackupRepository backups, EnvironmentLookup lookup, DatabaseProvisioner databases,
                                EnvironmentFiles files, Provider<ObjectStore> store, PgTools tools, SecretBox secrets, JsonMapper json) {
        this.backups = backups;
        this.lookup = lookup;
        this.databases = databases;
        this.files = files;
        this.store = store;
        this.tools = tools;
        this.secrets = secrets;
        this.json = json;
    }

    @Override
    public DumpResult dumpDatabase(String backupId) {
        BackupRecord backup = require(backupId);
        backups.markStep(backup.id(), BackupRecord.Status.DUMPING, Instant.now());
        EnvironmentRecord env = lookup.require(backup.envId().toString());
        int serverMajor = databases.serverMajorVersion();
        requireTool(tools.pgDump(), serverMajor, DUMPING);
        String password = secrets.decrypt(env.dbPassword());
        try (Connection c = connect(env.dbName(), password)) {
            // One snapshot for the fingerprints and the dump: they describe the same data.
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            String snapshot;
            String serverVersion;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_export_snapshot(), version()")) {
                rs.next();
                snapshot = rs.getString(1);
                serverVersion = rs.getString(2);
            }
            try (ToolProcess dump = new ToolProcess(List.of(tools.pgDump(), "--format=custom", "--snapshot=" + snapshot,
                    "--no-password", "--host=" + databases.host(), "--port=" + databases.port(), "--username=" + env.dbName(),
                    "--dbname=" + env.dbName()), Map.of("PGPASSWORD", password))) {
                // The fingerprints are taken on this connection, in the exported snapshot, while pg_dump
                // streams the same snapshot to storage: the two run side by side, not one after the other.
                CompletableFuture<Map<String, TableFingerprints.Fingerprint>> fingerprints = CompletableFuture.supplyAsync(() -> {
                    try {
                        return TableFingerprints.of(c);
                    } catch (SQLException e) {
                        throw new CompletionException(e);
                    }
                }, runnable -> {
                    Thread t = new Thread(runnable, "fingerprints-" + backupId);
                    t.setDaemon(true);
                    t.start();
                });
                ObjectStore.StoredObject stored;
                try {
                    stored = upload(backup, DATABASE_PART, dump.stdout(), "application/octet-stream");
                } finally {
                    awaitQuietly(fingerprints);
                }
                Map<String, DumpResult.TableFingerprint> tables = new TreeMap<>();
                awaitHeartbeating(fingerprints).forEach((t, f) -> tables.put(t, new DumpResult.TableFingerprint(f.rows(), f.checksum())));
                c.rollback();
                return new DumpResult(stored.size(), stored.sha256(), serverVersion, tables);
            }
        } catch (SQLException e) {
            throw ApplicationFailure.newFailureWithCause("reading database " + env.dbName() + " failed: " + e.getMessage(),
                    DUMPING, e);
        }
    }

    @Override
    public FilesResult archiveFiles(String backupId) {
        BackupRecord backup = require(backupId);
        backups.markStep(backup.id(), BackupRecord.Status.UPLOADING, Instant.now());
        var dir = files.resourcesDir(backup.envId().toString());
        int count;
        try (var walk = Files.isDirectory(dir) ? Files.walk(dir) : java.util.stream.Stream.<java.nio.file.Path>empty()) {
            count = (int) walk.filter(Files::isRegularFile).count();
        } catch (IOException e) {
            throw ApplicationFailure.newFailureWithCause("reading " + dir + " failed: " + e.getMessage(), UPLOADING, e);
        }
        try (InputStream tar = TarStreams.of(dir)) {
            ObjectStore.StoredObject stored = upload(backup, FILES_PART, tar, "application/x-tar");
            return new FilesResult(stored.size(), stored.sha256(), count);
        } catch (IOException e) {
            throw ApplicationFailure.newFailureWithCause("archiving the resource files failed: " + e.getMessage(), UPLOADING, e);
        }
    }

    @Override
    public long writeManifest(String backupId, DumpResult database, FilesResult filesPart) {
        BackupRecord backup = require(backupId);
        EnvironmentRecord env = lookup.require(backup.envId().toString());
        Map<String, BackupManifest.Table> tables = new LinkedHashMap<>();
        database.tables().forEach((t, f) -> tables.put(t, new BackupManifest.Table(f.rows(), f.checksum())));
        BackupManifest manifest = new BackupManifest(1, backupId, backup.appId().toString(), backup.envId().toString(),
                env.serverVersion(), null, database.serverVersion(),
                backup.startedAt() != null ? backup.startedAt() : backup.createdAt(), Instant.now(),
                new BackupManifest.Part(backup.objectPrefix() + DATABASE_PART, database.size(), database.sha256()),
                new BackupManifest.Part(backup.objectPrefix() + FILES_PART, filesPart.size(), filesPart.sha256()),
                filesPart.files(), tables);
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(manifest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        upload(backup, MANIFEST, new ByteArrayInputStream(bytes), "application/json");
        long total = database.size() + filesPart.size() + bytes.length;
        backups.recordManifest(backup.id(), total, new String(bytes, java.nio.charset.StandardCharsets.UTF_8), Instant.now());
        return total;
    }

    @Override
    public VerifyResult verify(String backupId) {
        BackupRecord backup = require(backupId);
        backups.markStep(backup.id(), BackupRecord.Status.VERIFYING, Instant.now());
        EnvironmentRecord env = lookup.require(backup.envId().toString());
        BackupManifest manifest = readManifest(backup);
        requireTool(tools.pgRestore(), databases.serverMajorVersion(), VERIFYING);
        String scratch = "vfy_" + backup.id().toString().replace("-", "");
        String password = secrets.decrypt(env.dbPassword());
        databases.dropDatabaseOnly(scratch); // a retried attempt starts clean
        databases.createDatabaseOwnedBy(scratch, env.dbName());
        try {
            String restoreProblem = restoreInto(scratch, env.dbName(), password, manifest.database());
            if (restoreProblem != null) {
                return new VerifyResult(false, restoreProblem);
            }
            String filesProblem = checkDigest(manifest.files());
            if (filesProblem != null) {
                return new VerifyResult(false, filesProblem);
            }
            Map<String, TableFingerprints.Fingerprint> restored;
            try (Connection c = connect(scratch, env.dbName(), password)) {
                restored = TableFingerprints.of(c, BackupActivitiesImpl::heartbeat);
            }
            List<String> differences = differences(manifest, restored);
            if (!differences.isEmpty()) {
                return new VerifyResult(false, String.join("; ", differences));
            }
            long rows = manifest.tables().values().stream().mapToLong(BackupManifest.Table::rows).sum();
            return new VerifyResult(true, "restored into a scratch database: " + manifest.tables().size() + " tables, "
                    + rows + " rows, row counts and checksums match; both parts match their SHA-256");
        } catch (SQLException e) {
            throw ApplicationFailure.newFailureWithCause("reading the scratch database failed: " + e.getMessage(), VERIFYING, e);
        } finally {
            databases.dropDatabaseOnly(scratch);
        }
    }

    /** How a restored database differs from the manifest's tables; empty when row counts and checksums all match. */
    static List<String> differences(BackupManifest manifest, Map<String, TableFingerprints.Fingerprint> restored) {
        List<String> differences = new ArrayList<>();
        for (var expected : manifest.tables().entrySet()) {
            TableFingerprints.Fingerprint got = restored.get(expected.getKey());
            if (got == null) {
                differences.add(expected.getKey() + " is missing");
            } else if (got.rows() != expected.getValue().rows() || !got.checksum().equals(expected.getValue().checksum())) {
                differences.add(expected.getKey() + ": " + got.rows() + " rows restored, " + expected.getValue().rows()
                        + " dumped" + (got.rows() == expected.getValue().rows() ? " (checksums differ)" : ""));
            }
        }
        restored.keySet().stream().filter(t -> !manifest.tables().containsKey(t))
                .forEach(t -> differences.add(t + " was not in the dump"));
        return differences;
    }

    /** Streams the stored dump into pg_restore, checking its digest on the way; returns a problem, or null. */
    String restoreInto(String database, String role, String password, BackupManifest.Part part) {
        MessageDigest sha256 = sha256();
        try (ToolProcess restore = new ToolProcess(List.of(tools.pgRestore(), "--no-owner", "--no-privileges",
                "--exit-on-error", "--no-password", "--host=" + databases.host(), "--port=" + databases.port(),
                "--username=" + role, "--dbname=" + database), Map.of("PGPASSWORD", password))) {
            try (InputStream in = new DigestInputStream(heartbeating(store.get().get(part.key())), sha256);
                 OutputStream out = restore.stdin()) {
                in.transferTo(out);
            } catch (IOException e) {
                // pg_restore stopped reading (it failed): its exit status says why, below.
            }
            try {
                restore.checkExit(BackupActivitiesImpl::heartbeat);
            } catch (ToolProcess.ToolFailedException e) {
                return "the stored dump does not restore: " + e.getMessage();
            } catch (IOException e) {
                throw ApplicationFailure.newFailureWithCause(e.getMessage(), VERIFYING, e);
            }
        } catch (SdkException e) {
            throw ApplicationFailure.newFailureWithCause("reading the stored dump failed: " + e.getMessage(), VERIFYING, e);
        }
        String digest = HexFormat.of().formatHex(sha256.digest());
        return digest.equals(part.sha256()) ? null
                : "the stored dump's SHA-256 is " + digest + ", the manifest says " + part.sha256();
    }

    private String checkDigest(BackupManifest.Part part) {
        MessageDigest sha256 = sha256();
        try (InputStream in = new DigestInputStream(heartbeating(store.get().get(part.key())), sha256)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException | SdkException e) {
            throw ApplicationFailure.newFailureWithCause("reading " + part.key() + " failed: " + e.getMessage(), VERIFYING, e);
        }
        String digest = HexFormat.of().formatHex(sha256.digest());
        return digest.equals(part.sha256()) ? null
                : part.key() + " has SHA-256 " + digest + ", the manifest says " + part.sha256();
    }

    BackupManifest readManifest(BackupRecord backup) {
        try (InputStream in = store.get().get(backup.objectPrefix() + MANIFEST)) {
            return json.readValue(in.readAllBytes(), BackupManifest.class);
        } catch (IOException | SdkException e) {
            throw ApplicationFailure.newFailureWithCause("reading the manifest failed: " + e.getMessage(), VERIFYING, e);
        }
    }

    @Override
    public void complete(String backupId, String verificationDetail) {
        backups.complete(UUID.fromString(backupId), verificationDetail, Instant.now());
    }

    @Override
    public void fail(String backupId, String step, String reason, boolean verificationFailed) {
        backups.fail(UUID.fromString(backupId), BackupRecord.Status.valueOf(step), reason,
                verificationFailed ? BackupRecord.Verification.FAILED : null, verificationFailed ? reason : null, Instant.now());
    }

    @Override
    public void deleteObjects(String backupId) {
        backups.findById(UUID.fromString(backupId)).ifPresent(b -> store.get().deletePrefix(b.objectPrefix()));
    }

    @Override
    public void deleteEnvironmentBackups(String appId, String envId) {
        store.get().deletePrefix("backups/" + UUID.fromString(appId) + "/" + UUID.fromString(envId) + "/");
    }

    @Override
    public int applyRetention(String envId, Retention retention) {
        List<BackupRecord> all = backups.findNewestFirst(UUID.fromString(envId), Integer.MAX_VALUE);
        List<BackupRecord> doomed = BackupRetention.toDelete(all, retention, Instant.now());
        for (BackupRecord b : doomed) {
            store.get().deletePrefix(b.objectPrefix());
            backups.deleteById(b.id());
        }
        return doomed.size();
    }

    private BackupRecord require(String backupId) {
        return backups.findById(UUID.fromString(backupId))
                .orElseThrow(() -> Failures.notFound("backup " + backupId + " does not exist"));
    }

    private ObjectStore.StoredObject upload(BackupRecord backup, String part, InputStream body, String type) {
        try {
            return store.get().put(backup.objectPrefix() + part, heartbeating(body), type);
        } catch (UncheckedIOException e) {
            // The source failed: pg_dump or the file walk, not the storage.
            String step = part.equals(DATABASE_PART) ? DUMPING : UPLOADING;
            throw ApplicationFailure.newFailureWithCause(e.getCause() != null ? e.getCause().getMessage() : e.getMessage(), step, e);
        } catch (SdkException e) {
            throw ApplicationFailure.newFailureWithCause("object storage failed while storing " + part + ": " + e.getMessage(),
                    UPLOADING, e);
        }
    }

    private void requireTool(String tool, int serverMajor, String step) {
        try {
            tools.requireAtLeast(tool, serverMajor);
        } catch (PgTools.ToolTooOldException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), step);
        }
    }

    private Connection connect(String database, String password) throws SQLException {
        return connect(database, database, password);
    }

    Connection connect(String database, String role, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", role);
        props.setProperty("password", password);
        return DriverManager.getConnection(databases.jdbcUrlFor(database), props);
    }

    /** Waits for the fingerprints, heartbeating, and unwraps a database failure. */
    private static Map<String, TableFingerprints.Fingerprint> awaitHeartbeating(
            CompletableFuture<Map<String, TableFingerprints.Fingerprint>> future) throws SQLException {
        while (true) {
            try {
                return future.get(5, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                heartbeat();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw Activity.wrap(e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof CompletionException ce && ce.getCause() instanceof SQLException sql) {
                    throw sql;
                }
                if (e.getCause() instanceof SQLException sql) {
                    throw sql;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** Lets the connection's other user finish before the connection is closed, whatever happened to the upload. */
    private static void awaitQuietly(CompletableFuture<?> future) {
        try {
            future.get(10, TimeUnit.MINUTES);
        } catch (Exception ignored) {
            // reported by awaitHeartbeating, or superseded by the upload's own failure
        }
    }

    static void heartbeat() {
        Activity.getExecutionContext().heartbeat(null);
    }

    /** Heartbeats (with the bytes so far) at most every 2 s while a stream is read. */
    static InputStream heartbeating(InputStream in) {
        ActivityExecutionContext context = Activity.getExecutionContext();
        return new FilterInputStream(in) {
            private long bytes;
            private long last = System.nanoTime();

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    bytes += n;
                    if (System.nanoTime() - last > Duration.ofSeconds(2).toNanos()) {
                        context.heartbeat(bytes);
                        last = System.nanoTime();
                    }
                }
                return n;
            }
        };
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
