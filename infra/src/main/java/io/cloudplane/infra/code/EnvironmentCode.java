package io.cloudplane.infra.code;

import io.cloudplane.infra.environment.EnvironmentLocks;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.crypto.Sha256;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.storage.ObjectStore;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;

/**
 * An environment's code, kept in two places that always agree: the canonical tar.gz in object
 * storage (what releases, clones and downloads copy) and the local tree its server reads. A new
 * version is unpacked into a tree of its own and stored under a key of its own; only then does the
 * environment switch to it, so a failure half-way leaves the old code untouched.
 */
@Singleton
public class EnvironmentCode {
    private static final Logger LOG = LoggerFactory.getLogger(EnvironmentCode.class);
    private final EnvironmentFiles files;
    private final EnvironmentCodeRepository code;
    private final Provider<ObjectStore> store;
    private final CodeSettings settings;
    private final EnvironmentRepository environments;

    public EnvironmentCode(EnvironmentFiles files, EnvironmentCodeRepository code, Provider<ObjectStore> store,
                           CodeSettings settings, EnvironmentRepository environments) {
        this.files = files;
        this.code = code;
        this.store = store;
        this.settings = settings;
        this.environments = environments;
    }

    public Optional<EnvironmentCodeRecord> current(UUID envId) {
        return code.findById(envId);
    }

    /**
     * Installs an uploaded archive (zip or tar.gz) as the environment's code. A hostile archive
     * throws {@link CodeArchives.HostileArchiveException} and changes nothing. The caller holds the
     * environment ({@link EnvironmentLocks#tryHoldForUpload}), across processes.
     */
    public EnvironmentCodeRecord upload(UUID appId, UUID envId, Path archive, UUID by) {
        String tree = "u-" + UUID.randomUUID();
        Path dir = files.prepareCodeTree(envId.toString(), tree);
        Path canonical = null;
        String newKey = null;
        Optional<EnvironmentCodeRecord> before = code.findById(envId);
        String previousTree = files.currentCodeTree(envId.toString());
        boolean switched = false;
        try {
            CodeArchives.extract(archive, dir, settings.limits());
            canonical = Files.createTempFile("code-", ".tar.gz");
            java.security.MessageDigest digest = Sha256.newDigest();
            try (OutputStream out = new java.security.DigestOutputStream(Files.newOutputStream(canonical), digest)) {
                CodeArchives.writeTarGz(dir, out); // digested as written: the file is not read back for it
            }
            String sha256 = Sha256.hex(digest);
            newKey = EnvironmentCodeRecord.keyFor(appId, envId, sha256);
            ObjectStore.StoredObject stored;
            try (InputStream in = Files.newInputStream(canonical)) {
                stored = store.get().put(newKey, in, "application/gzip");
            }
            files.activateCodeTree(envId.toString(), tree);
            EnvironmentCodeRecord record = new EnvironmentCodeRecord(envId, newKey, sha256, stored.size(), null, tree, by,
                    Instant.now().truncatedTo(ChronoUnit.MICROS));
            try {
                save(record);
            } catch (RuntimeException e) {
                // The record and the tree must agree: the old tree goes back, and the upload fails.
                if (previousTree != null) {
                    files.activateCodeTree(envId.toString(), previousTree);
                }
                throw e;
            }
            switched = true;
            String previousKey = before.map(EnvironmentCodeRecord::objectKey).orElse(null);
            discard(envId, previousTree, previousKey, record);
            return record;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!switched) {
                files.deleteCodeTree(envId.toString(), tree);
                if (newKey != null && !newKey.equals(before.map(EnvironmentCodeRecord::objectKey).orElse(null))) {
                    deleteQuietly(newKey);
                }
            }
            if (canonical != null) {
                try {
                    Files.deleteIfExists(canonical);
                } catch (IOException ignored) {
                    // a temporary file
                }
            }
        }
    }

    /**
     * The environment's code as it is on disk now: when an SFTP session changed its tree in place
     * after its code record was written ({@code environments.code_changed_at}), or it has no record but
     * its tree has files, the live tree is packed into a new canonical archive, stored, and made the
     * environment's code record, on the same tree (nothing is unpacked). Releases and clones read the
     * record right after, so that they take the code as SFTP left it. Idempotent: the archive's key is
     * its digest, and the record's time is taken before packing, so a retry (or the next release) finds
     * nothing newer and packs nothing; a change made while packing is after it and is packed next time.
     * If the environment's code is replaced meanwhile (an upload, a deployment), that newer code stays.
     */
    public Optional<EnvironmentCodeRecord> captureTree(UUID appId, UUID envId) {
        Optional<EnvironmentCodeRecord> before = code.findById(envId);
        String tree = files.currentCodeTree(envId.toString());
        if (tree == null) {
            return before;
        }
        Instant changedAt = environments.findCodeChangedAt(envId).orElse(null);
        boolean changedSince = changedAt != null && (before.isEmpty() || changedAt.isAfter(before.get().updatedAt()));
        if (!changedSince && (before.isPresent() || !hasFiles(envId))) {
            return before;
        }
        Instant startedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Path canonical = null;
        try {
            canonical = Files.createTempFile("code-", ".tar.gz");
            java.security.MessageDigest digest = Sha256.newDigest();
            try (OutputStream out = new java.security.DigestOutputStream(Files.newOutputStream(canonical), digest)) {
                CodeArchives.writeTarGz(files.codeDir(envId.toString()).toRealPath(), out);
            }
            String sha256 = Sha256.hex(digest);
            String key = EnvironmentCodeRecord.keyFor(appId, envId, sha256);
            ObjectStore.StoredObject stored;
            try (InputStream in = Files.newInputStream(canonical)) {
                stored = store.get().put(key, in, "application/gzip");
            }
            // Written only if the code is still what was packed: an upload or a deployment that switched
            // trees meanwhile installed newer code, which stays.
            Optional<EnvironmentCodeRecord> now = code.findById(envId);
            if (!now.equals(before) || !tree.equals(files.currentCodeTree(envId.toString()))) {
                if (now.map(r -> !r.objectKey().equals(key)).orElse(true)) {
                    deleteQuietly(key);
                }
                return now;
            }
            EnvironmentCodeRecord record = new EnvironmentCodeRecord(envId, key, sha256, stored.size(),
                    before.map(EnvironmentCodeRecord::releaseId).filter(r -> before.get().sha256().equals(sha256)).orElse(null),
                    tree, null, changedAt != null && changedAt.isAfter(startedAt) ? changedAt : startedAt);
            save(record);
            before.map(EnvironmentCodeRecord::objectKey).filter(previous -> !previous.equals(key)).ifPresent(this::deleteQuietly);
            LOG.info("Packed environment {}'s code tree {} as SFTP left it: {} ({} bytes)", envId, tree, key, stored.size());
            return Optional.of(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (canonical != null) {
                try {
                    Files.deleteIfExists(canonical);
                } catch (IOException ignored) {
                    // a temporary file
                }
            }
        }
    }

    private boolean hasFiles(UUID envId) {
        Path dir = files.codeDir(envId.toString());
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var entries = Files.list(dir)) {
            return entries.findAny().isPresent();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Unpacks {@code objectKey} into a new tree {@code tree}, checking its SHA-256 on the way.
     * Throws {@link DigestMismatchException} when the stored bytes are not the expected ones.
     */
    public void unpack(UUID envId, String tree, String objectKey, String expectedSha256, Runnable progress) {
        Path dir = files.prepareCodeTree(envId.toString(), tree);
        boolean done = false;
        try (InputStream in = new ProgressStream(store.get().get(objectKey), progress)) {
            String actual = CodeArchives.extractTarGz(in, dir, artifactLimits());
            if (!actual.equals(expectedSha256)) {
                throw new DigestMismatchException("the artifact " + objectKey + " has SHA-256 " + actual
                        + ", not the recorded " + expectedSha256);
            }
            done = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!done) {
                files.deleteCodeTree(envId.toString(), tree);
            }
        }
    }

    private CodeArchives.Limits artifactLimits() {
        return settings.artifactLimits();
    }

    /**
     * As {@link #unpack}, but the artifact is read by a {@link CodeFetcher} process from a
     * presigned URL: no byte of it passes through this process.
     */
    public void fetch(UUID envId, String tree, String objectKey, String expectedSha256, Runnable progress) {
        Path dir = files.prepareCodeTree(envId.toString(), tree);
        boolean done = false;
        try {
            CodeFetcher.run(store.get().presignGet(objectKey, java.time.Duration.ofMinutes(30)), dir, expectedSha256,
                    artifactLimits(), progress);
            done = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching " + objectKey, e);
        } finally {
            if (!done) {
                files.deleteCodeTree(envId.toString(), tree);
            }
        }
    }

    /** Makes {@code record} the environment's code: its tree becomes current and its row is written. */
    public void activate(EnvironmentCodeRecord record) {
        files.activateCodeTree(record.envId().toString(), record.tree());
        save(record);
    }

    /**
     * Removes a tree and an object the environment no longer uses (never the current ones). A failure
     * to delete the object is thrown, not logged: the deployment's record steps that call this are
     * retried until done, so an object store that is down for a while leaves no orphan object (found
     * by FaultInjectionIT: a deployment failed by an outage left its new code object behind).
     */
    public void discard(UUID envId, String tree, String objectKey, EnvironmentCodeRecord current) {
        if (tree != null && !tree.equals(current.tree())) {
            files.deleteCodeTree(envId.toString(), tree);
        }
        if (objectKey != null && !objectKey.equals(current.objectKey())) {
            store.get().deletePrefix(objectKey);
        }
    }

    public void forget(UUID envId) {
        code.deleteById(envId);
    }

    public InputStream open(EnvironmentCodeRecord record) {
        return store.get().get(record.objectKey());
    }

    private void save(EnvironmentCodeRecord record) {
        if (code.existsById(record.envId())) {
            code.update(record);
        } else {
            code.save(record);
        }
    }

    private void deleteQuietly(String key) {
        try {
            store.get().deletePrefix(key);
        } catch (RuntimeException e) {
            LOG.warn("Could not delete the unused code object {}: {}", key, e.getMessage());
        }
    }

    /** The stored artifact is not the one that was recorded. */
    public static final class DigestMismatchException extends RuntimeException {
        public DigestMismatchException(String message) {
            super(message);
        }
    }

    private static final class ProgressStream extends java.io.FilterInputStream {
        private final Runnable progress;
        private long sinceReport;

        ProgressStream(InputStream in, Runnable progress) {
            super(in);
            this.progress = progress;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0 && (sinceReport += n) > 4 * 1024 * 1024) {
                sinceReport = 0;
                progress.run();
            }
            return n;
        }
    }
}
