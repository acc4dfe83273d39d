package io.cloudplane.infra.backup;

import io.cloudplane.infra.crypto.Sha256;
import io.cloudplane.infra.storage.ObjectStore;
import io.micronaut.json.JsonMapper;
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
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Backups in object storage. The key layout: everything of an environment under
 * {@code backups/<appId>/<envId>/}, a backup's parts under its prefix
 * {@code backups/<appId>/<envId>/<backupId>/}: {@value #DATABASE} (pg_dump's custom format),
 * {@value #FILES} (the resource files) and {@value #MANIFEST} ({@link BackupManifest}), whose
 * SHA-256s every read of a part is checked against.
 */
@Singleton
public class BackupArchive {
    public static final String DATABASE = "database.dump";
    public static final String FILES = "files.tar";
    public static final String MANIFEST = "manifest.json";

    /** Looked up at first use: the embedded S3 server starts with the first backup, not with the process. */
    private final Provider<ObjectStore> store;
    private final JsonMapper json;

    public BackupArchive(Provider<ObjectStore> store, JsonMapper json) {
        this.store = store;
        this.json = json;
    }

    /** Where all of an environment's backups are. */
    public static String environmentPrefix(UUID appId, UUID envId) {
        return "backups/" + appId + "/" + envId + "/";
    }

    /** Where one backup's parts are: readable and deterministic. */
    public static String prefixFor(UUID appId, UUID envId, UUID backupId) {
        return environmentPrefix(appId, envId) + backupId + "/";
    }

    /** The key of one of a backup's parts ({@link #DATABASE}, {@link #FILES}, {@link #MANIFEST}). */
    public static String key(BackupRecord backup, String part) {
        return backup.objectPrefix() + part;
    }

    /**
     * Streams {@code body} to the backup's {@code part}.
     *
     * @throws SourceFailedException when the body failed (pg_dump, a file walk), not the storage
     * @throws StorageFailedException when object storage failed
     */
    public ObjectStore.StoredObject put(BackupRecord backup, String part, InputStream body, String contentType,
                                        Progress progress) {
        try {
            return store.get().put(key(backup, part), progress.watch(body), contentType);
        } catch (UncheckedIOException e) {
            throw new SourceFailedException(e.getCause() != null ? e.getCause().getMessage() : e.getMessage(), e);
        } catch (SdkException e) {
            throw new StorageFailedException("object storage failed while storing " + part + ": " + e.getMessage(), e);
        }
    }

    /** The files part as stored, and how many regular files it holds. */
    public record StoredFiles(ObjectStore.StoredObject stored, int count) {
    }

    /**
     * Stores the tar of {@code dir}'s files (none when it does not exist) as the backup's files part.
     *
     * @throws IOException when the folder cannot be read or archived
     */
    public StoredFiles putFiles(BackupRecord backup, Path dir, Progress progress) throws IOException {
        int count;
        try (Stream<Path> walk = Files.isDirectory(dir) ? Files.walk(dir) : Stream.empty()) {
            count = (int) walk.filter(Files::isRegularFile).count();
        } catch (IOException e) {
            throw new IOException("reading " + dir + " failed: " + e.getMessage(), e);
        }
        try (InputStream tar = TarStreams.of(dir)) {
            return new StoredFiles(put(backup, FILES, tar, "application/x-tar", progress), count);
        } catch (IOException e) {
            throw new IOException("archiving the resource files failed: " + e.getMessage(), e);
        }
    }

    /** Stores the manifest beside the parts; returns its JSON, as stored. */
    public byte[] putManifest(BackupRecord backup, BackupManifest manifest) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(manifest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        put(backup, MANIFEST, new ByteArrayInputStream(bytes), "application/json", Progress.NONE);
        return bytes;
    }

    /** @throws ReadFailedException when the manifest cannot be read */
    public BackupManifest readManifest(BackupRecord backup) {
        try (InputStream in = store.get().get(key(backup, MANIFEST))) {
            return json.readValue(in.readAllBytes(), BackupManifest.class);
        } catch (IOException | SdkException e) {
            throw new ReadFailedException("reading the manifest failed: " + e.getMessage(), e);
        }
    }

    /**
     * A stored part as a stream that digests what passes. Read it to its end, then ask
     * {@link CheckedPart#matches()}.
     *
     * @throws SdkException when object storage cannot serve it
     */
    public CheckedPart open(BackupManifest.Part part, Progress progress) {
        return new CheckedPart(part, progress.watch(store.get().get(part.key())));
    }

    /**
     * Reads a stored part whole and compares its SHA-256 with the manifest's: null when they match,
     * else the difference.
     *
     * @throws ReadFailedException when the part cannot be read
     */
    public String checkDigest(BackupManifest.Part part, Progress progress) {
        try (CheckedPart in = open(part, progress)) {
            in.transferTo(OutputStream.nullOutputStream());
            return in.matches() ? null : part.key() + " has SHA-256 " + in.sha256() + ", the manifest says " + part.sha256();
        } catch (IOException | SdkException e) {
            throw new ReadFailedException("reading " + part.key() + " failed: " + e.getMessage(), e);
        }
    }

    /** Deletes everything stored for the backup, unfinished uploads included. Idempotent. */
    public void delete(BackupRecord backup) {
        store.get().deletePrefix(backup.objectPrefix());
    }

    /** Deletes every backup object of an environment. Idempotent. */
    public void deleteEnvironment(UUID appId, UUID envId) {
        store.get().deletePrefix(environmentPrefix(appId, envId));
    }

    /** A stored part being read, its SHA-256 computed on the way. */
    public static final class CheckedPart extends FilterInputStream {
        private final BackupManifest.Part part;
        private final MessageDigest digest;
        private String sha256;

        private CheckedPart(BackupManifest.Part part, InputStream in) {
            this(part, in, Sha256.newDigest());
        }

        private CheckedPart(BackupManifest.Part part, InputStream in, MessageDigest digest) {
            super(new DigestInputStream(in, digest));
            this.part = part;
            this.digest = digest;
        }

        /** The SHA-256 of what was read; reading ends with the first call. */
        public String sha256() {
            if (sha256 == null) {
                sha256 = Sha256.hex(digest);
            }
            return sha256;
        }

        /** Whether what was read is the part the manifest describes. */
        public boolean matches() {
            return sha256().equals(part.sha256());
        }

        public String expectedSha256() {
            return part.sha256();
        }
    }

    /** What was being stored failed (pg_dump, a file walk), not the storage; the message is the source's. */
    public static class SourceFailedException extends RuntimeException {
        public SourceFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Object storage failed while a part was stored. */
    public static class StorageFailedException extends RuntimeException {
        public StorageFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A stored backup could not be read (or fed to its reader): worth trying again. */
    public static class ReadFailedException extends RuntimeException {
        public ReadFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
