package io.cloudplane.infra.embedded;

import io.cloudplane.infra.config.CloudplaneSettings;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Inject;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The all-in-one's object storage: s3proxy, an S3-protocol server, on loopback only, keeping
 * objects as files under {@code <data dir>/objects}. Started only when no real bucket is configured
 * ({@code CLOUDPLANE_STORAGE_S3_BUCKET}). The port is {@code CLOUDPLANE_EMBEDDED_S3_PORT} (default
 * 0: any free port). Credentials are made up at each start and used only by this process.
 */
@Singleton
@Requires(missingProperty = "cloudplane.storage.s3.bucket")
public class EmbeddedS3Server implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedS3Server.class);
    private volatile S3Proxy proxy;
    private final int port;
    private final String accessKey;
    private final String secretKey;
    private final Path root;

    @Inject
    public EmbeddedS3Server(CloudplaneSettings settings, EmbeddedS3Settings s3) {
        this(settings, s3.port());
    }

    public EmbeddedS3Server(CloudplaneSettings settings, int port) {
        this.root = settings.dataDir().resolve("objects");
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + root, e);
        }
        SecureRandom random = new SecureRandom();
        this.accessKey = "cloudplane-" + HexFormat.of().formatHex(randomBytes(random, 6));
        this.secretKey = HexFormat.of().formatHex(randomBytes(random, 24));
        this.proxy = startProxy(port);
        this.port = proxy.getPort();
        LOG.info("Embedded S3 (s3proxy) is listening on {}, objects under {}", endpoint(), root);
    }

    private S3Proxy startProxy(int port) {
        String host = InetAddress.getLoopbackAddress().getHostAddress();
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(new FilesystemNio2BlobStore(root.toString()))
                .endpoint(URI.create("http://" + host + ":" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .build();
        try {
            proxy.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
                }
                Thread.sleep(10);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("The embedded S3 server could not start on " + host + ":" + port, e);
        }
        return proxy;
    }

    /** Starts the server again on the same port after {@link #close()}: for tests of storage outages. */
    public synchronized void restart() {
        proxy = startProxy(port);
    }

    private static byte[] randomBytes(SecureRandom random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    public String endpoint() {
        return "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + (port > 0 ? port : proxy.getPort());
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    public Path root() {
        return root;
    }

    /** Stops the server: for tests of what happens when object storage goes away mid-upload. */
    @PreDestroy
    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            LOG.warn("Stopping the embedded S3 server: {}", e.getMessage());
        }
    }
}
