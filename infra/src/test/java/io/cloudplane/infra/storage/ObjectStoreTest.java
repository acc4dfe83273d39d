package io.cloudplane.infra.storage;

import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.embedded.EmbeddedS3Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The S3 adapter against a real S3-protocol server: s3proxy with its filesystem backend, as in the all-in-one. */
class ObjectStoreTest {
    private static final int PART = 5 * 1024 * 1024;
    @TempDir
    static Path dataDir;
    private static EmbeddedS3Server server;
    private static S3ObjectStore store;

    @BeforeAll
    static void start() {
        server = new EmbeddedS3Server(new CloudplaneSettings(dataDir.toString()), 0);
        store = new S3ObjectStore(ObjectStoreFactory.EMBEDDED_BUCKET, "us-east-1", server.endpoint(), true,
                StaticCredentialsProvider.create(AwsBasicCredentials.create(server.accessKey(), server.secretKey())), PART);
        store.ensureBucket();
        store.ensureBucket(); // idempotent
    }

    @AfterAll
    static void stop() {
        store.close();
        server.close();
    }

    @Test
    void aMultipartUploadRoundTripsWithItsSizeAndDigest() throws Exception {
        byte[] data = new byte[2 * PART + 12345];
        new Random(7).nextBytes(data);
        var stored = store.put("backups/a/e/b1/db.dump", new ByteArrayInputStream(data), "application/octet-stream");
        assertEquals(data.length, stored.size());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)), stored.sha256());
        try (InputStream in = store.get("backups/a/e/b1/db.dump")) {
            assertArrayEquals(data, in.readAllBytes());
        }
        assertEquals(data.length, store.head("backups/a/e/b1/db.dump").orElseThrow().size());
        assertTrue(store.head("backups/a/e/b1/missing").isEmpty());

        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                store.presignGet("backups/a/e/b1/db.dump", Duration.ofMinutes(5))).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertArrayEquals(data, response.body(), "the presigned URL serves the object without credentials");
    }

    @Test
    void anEmptyBodyIsAnEmptyObject() throws Exception {
        var stored = store.put("backups/a/e/b2/empty", new ByteArrayInputStream(new byte[0]), "application/octet-stream");
        assertEquals(0, stored.size());
        try (InputStream in = store.get("backups/a/e/b2/empty")) {
            assertEquals(0, in.readAllBytes().length);
        }
    }

    @Test
    void aSourceThatFailsMidwayLeavesNothingBehind() throws Exception {
        InputStream failing = new InputStream() {
            private long served;

            @Override
            public int read() throws IOException {
                if (served++ > PART + 100) {
                    throw new IOException("pg_dump died");
                }
                return 42;
            }
        };
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> store.put("backups/a/e/b3/db.dump", failing, "application/octet-stream"));
        assertTrue(e.getMessage().contains("pg_dump died"), e.getMessage());
        assertEquals(List.of(), store.list("backups/a/e/b3/"));
        try (var files = Files.walk(server.root())) {
            assertTrue(files.noneMatch(f -> f.toString().contains("b3")), "no part left on disk");
        }
    }

    @Test
    void deletingAPrefixIsIdempotent() {
        for (String name : List.of("manifest.json", "db.dump", "files.tar")) {
            store.put("backups/a/e/b4/" + name, new ByteArrayInputStream(name.getBytes()), "application/octet-stream");
        }
        store.put("backups/a/e/b5/manifest.json", new ByteArrayInputStream(new byte[] {1}), "application/json");
        assertEquals(3, store.list("backups/a/e/b4/").size());
        store.deletePrefix("backups/a/e/b4/");
        store.deletePrefix("backups/a/e/b4/");
        assertEquals(List.of(), store.list("backups/a/e/b4/"));
        assertEquals(1, store.list("backups/a/e/b5/").size(), "other backups are untouched");
    }
}
