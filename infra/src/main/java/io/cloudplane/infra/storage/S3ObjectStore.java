package io.cloudplane.infra.storage;

import io.cloudplane.infra.crypto.Sha256;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@link ObjectStore} on S3 through AWS SDK v2. Uploads are multipart, with two reused part buffers
 * (one filling, one uploading), and the SHA-256 of the whole object computed on the way; a failed
 * upload is aborted and whatever was written under the key is deleted.
 */
public class S3ObjectStore implements ObjectStore, AutoCloseable {
    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final int partSize;
    private final java.util.concurrent.atomic.AtomicLong bytesSent = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong bytesReceived = new java.util.concurrent.atomic.AtomicLong();

    public S3ObjectStore(String bucket, String region, String endpoint, boolean pathStyle, AwsCredentialsProvider credentials,
                         int partSizeBytes) {
        if (partSizeBytes < 5 * 1024 * 1024) {
            throw new IllegalArgumentException("S3 parts are at least 5 MiB");
        }
        S3Configuration config = S3Configuration.builder().pathStyleAccessEnabled(pathStyle).build();
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(region))
                .credentialsProvider(credentials)
                .serviceConfiguration(config)
                // Checksums only where S3 requires them: S3-protocol servers differ in the newer ones.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        S3Presigner.Builder presign = S3Presigner.builder().region(Region.of(region)).credentialsProvider(credentials)
                .serviceConfiguration(config);
        if (endpoint != null && !endpoint.isBlank()) {
            builder.endpointOverride(URI.create(endpoint));
            presign.endpointOverride(URI.create(endpoint));
        }
        this.s3 = builder.build();
        this.presigner = presign.build();
        this.bucket = bucket;
        this.partSize = partSizeBytes;
    }

    public String bucket() {
        return bucket;
    }

    /** Creates the bucket when it does not exist (the embedded server's first start). */
    public void ensureBucket() {
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
            s3.createBucket(b -> b.bucket(bucket));
        }
    }

    /**
     * Reads the next part while the previous one uploads (two part buffers, one upload in flight), so
     * that the producer (pg_dump, a tar) is not kept waiting on the network.
     */
    @Override
    public StoredObject put(String key, InputStream body, String contentType) {
        MessageDigest sha256 = Sha256.newDigest();
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(contentType)).uploadId();
        ExecutorService uploader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "s3-upload-" + key);
            t.setDaemon(true);
            return t;
        });
        Future<CompletedPart> inFlight = null;
        boolean completed = false;
        try {
            byte[][] buffers = {new byte[partSize], new byte[partSize]};
            List<CompletedPart> parts = new ArrayList<>();
            long size = 0;
            int partNumber = 1;
            while (true) {
                byte[] buffer = buffers[partNumber % 2];
                int filled = body.readNBytes(buffer, 0, partSize);
                if (filled == 0 && partNumber > 1) {
                    break;
                }
                sha256.update(buffer, 0, filled);
                size += filled;
                bytesSent.addAndGet(filled);
                if (inFlight != null) {
                    parts.add(await(inFlight)); // its buffer is the one the next read fills
                }
                int number = partNumber;
                int length = filled;
                inFlight = uploader.submit(() -> {
                    String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number)
                                    .contentLength((long) length),
                            RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length, contentType))
                            .eTag();
                    return CompletedPart.builder().partNumber(number).eTag(etag).build();
                });
                partNumber++;
                if (filled < partSize) {
                    break;
                }
            }
            if (inFlight != null) {
                parts.add(await(inFlight));
                inFlight = null;
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
            completed = true;
            return new StoredObject(key, size, Sha256.hex(sha256));
        } catch (IOException e) {
            throw new UncheckedIOException("Reading the data to upload to " + key + " failed: " + e.getMessage(), e);
        } finally {
            if (!completed) {
                // A part still on its way is let finish, not interrupted: an interrupted request can still be
                // written by the server after the abort below, which would leave that part behind.
                if (inFlight != null) {
                    awaitQuietly(inFlight);
                }
                uploader.shutdownNow();
                try {
                    uploader.awaitTermination(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                cleanUpFailedUpload(key, uploadId);
            } else {
                uploader.shutdownNow();
            }
        }
    }

    /**
     * Waits up to a minute for a part's request to end, even if this thread is interrupted (a worker
     * shutting down): interrupting it could let the server write the part after the abort. The
     * interrupt is kept for the caller.
     */
    private static void awaitQuietly(Future<CompletedPart> upload) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    upload.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException | java.util.concurrent.TimeoutException | java.util.concurrent.CancellationException e) {
                    return; // its failure is not the one reported; the clean-up runs either way
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static CompletedPart await(Future<CompletedPart> upload) {
        try {
            return upload.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while uploading", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void cleanUpFailedUpload(String key, String uploadId) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
        } catch (RuntimeException ignored) {
            // The store may be unreachable: the deletion below is tried too, and callers delete by prefix.
        }
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(key));
        } catch (RuntimeException ignored) {
            // As above.
        }
    }

    @Override
    public InputStream get(String key) {
        return new java.io.FilterInputStream(s3.getObject(b -> b.bucket(bucket).key(key))) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    bytesReceived.incrementAndGet();
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    bytesReceived.addAndGet(n);
                }
                return n;
            }
        };
    }

    @Override
    public StoredObject copy(String sourceKey, String targetKey) {
        try {
            s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(sourceKey).destinationBucket(bucket).destinationKey(targetKey));
        } catch (NoSuchKeyException e) {
            throw new java.util.NoSuchElementException("no object " + sourceKey + " to copy");
        }
        return head(targetKey).orElseThrow(() -> new IllegalStateException("the copy of " + sourceKey + " to "
                + targetKey + " is not there"));
    }

    @Override
    public Traffic traffic() {
        return new Traffic(bytesSent.get(), bytesReceived.get());
    }

    @Override
    public Optional<StoredObject> head(String key) {
        try {
            var head = s3.headObject(b -> b.bucket(bucket).key(key));
            return Optional.of(new StoredObject(key, head.contentLength(), null));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public List<StoredObject> list(String prefix) {
        List<StoredObject> found = new ArrayList<>();
        for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
            found.add(new StoredObject(object.key(), object.size(), null));
        }
        return found;
    }

    @Override
    public void deletePrefix(String prefix) {
        List<StoredObject> objects = list(prefix);
        for (int from = 0; from < objects.size(); from += 1000) {
            List<ObjectIdentifier> batch = objects.subList(from, Math.min(objects.size(), from + 1000)).stream()
                    .map(o -> ObjectIdentifier.builder().key(o.key()).build()).toList();
            s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(batch).quiet(true)));
        }
        // Uploads that never completed under the prefix (a worker that died mid-upload).
        for (var upload : s3.listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(prefix)).uploads()) {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(upload.key()).uploadId(upload.uploadId()));
        }
    }

    @Override
    public URI presignGet(String key, Duration validFor) {
        try {
            return presigner.presignGetObject(p -> p.signatureDuration(validFor).getObjectRequest(g -> g.bucket(bucket).key(key)))
                    .url().toURI();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        s3.close();
        presigner.close();
    }
}
