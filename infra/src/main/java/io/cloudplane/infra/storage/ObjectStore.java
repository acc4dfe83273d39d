package io.cloudplane.infra.storage;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Object storage for backups and releases. One adapter, {@link S3ObjectStore}, speaks S3 through
 * AWS SDK v2: to AWS, to any S3-protocol server, or to the all-in-one's embedded s3proxy.
 */
public interface ObjectStore {
    /**
     * Streams {@code body} to {@code key} in parts, never holding more than one part in memory.
     * If anything fails, the upload is aborted and nothing is left under {@code key}.
     */
    StoredObject put(String key, InputStream body, String contentType);

    /** A stream of the object's bytes; the caller closes it. */
    InputStream get(String key);

    Optional<StoredObject> head(String key);

    /** Every object whose key starts with {@code prefix}, in key order. */
    List<StoredObject> list(String prefix);

    /** Deletes every object under {@code prefix}; deleting what is already gone is not an error. */
    void deletePrefix(String prefix);

    /**
     * Copies {@code sourceKey} to {@code targetKey} inside the store (S3 CopyObject): none of the
     * bytes pass through this process. Copying onto an existing key replaces it.
     */
    StoredObject copy(String sourceKey, String targetKey);

    /** Bytes this process has sent to and read from the store since it started (for measurements). */
    Traffic traffic();

    /** A time-limited URL from which the object can be downloaded without credentials. */
    URI presignGet(String key, Duration validFor);

    record Traffic(long bytesSent, long bytesReceived) {
        public long total() {
            return bytesSent + bytesReceived;
        }
    }

    /** A key and its size; {@code sha256} (hex) is known for objects this store just wrote, else null. */
    record StoredObject(String key, long size, String sha256) {
    }
}
