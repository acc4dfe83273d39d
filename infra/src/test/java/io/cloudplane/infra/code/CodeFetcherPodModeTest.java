package io.cloudplane.infra.code;

import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.embedded.EmbeddedS3Server;
import io.cloudplane.infra.storage.ObjectStoreFactory;
import io.cloudplane.infra.storage.S3ObjectStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fetcher's pod mode (an environment pod's init container) against the embedded object store (s3proxy):
 * a presigned URL of a canonical archive, its SHA-256 checked, the code volume's contents replaced only
 * by a complete, checked tree.
 */
class CodeFetcherPodModeTest {
    private static final CodeArchives.Limits LIMITS = new CodeArchives.Limits(64L << 20, 10_000, 256L << 20);
    @TempDir
    static Path dataDir;
    private static EmbeddedS3Server server;
    private static S3ObjectStore store;
    @TempDir
    Path work;

    @BeforeAll
    static void start() {
        server = new EmbeddedS3Server(new CloudplaneSettings(dataDir.toString()), 0);
        store = new S3ObjectStore(ObjectStoreFactory.EMBEDDED_BUCKET, "us-east-1", server.endpoint(), true,
                StaticCredentialsProvider.create(AwsBasicCredentials.create(server.accessKey(), server.secretKey())), 5 * 1024 * 1024);
        store.ensureBucket();
    }

    @AfterAll
    static void stop() {
        store.close();
        server.close();
    }

    /** A canonical archive of a small tree (the bytes stored for an environment's code). */
    private byte[] archive(String name, String content) throws IOException {
        Path tree = Files.createDirectories(work.resolve("tree-" + name));
        Files.createDirectories(tree.resolve("web"));
        Files.writeString(tree.resolve("web/index.html"), content);
        Files.writeString(tree.resolve("app.json"), "{\"name\":\"" + name + "\"}");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodeArchives.writeTarGz(tree, out);
        return out.toByteArray();
    }

    private URI stored(String key, byte[] bytes) {
        store.put(key, new ByteArrayInputStream(bytes), "application/gzip");
        return store.presignGet(key, Duration.ofMinutes(5));
    }

    private static String sha(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static List<String> listing(Path folder) throws IOException {
        try (Stream<Path> all = Files.walk(folder)) {
            return all.map(p -> folder.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void downloadsChecksAndUnpacksIntoTheCodeVolumeReplacingWhatWasThere() throws Exception {
        byte[] first = archive("one", "<h1>one</h1>");
        Path volume = work.resolve("code");
        assertEquals(2, CodeFetcher.replace(stored("code/a/e/one.tar.gz", first), volume, sha(first), LIMITS));
        assertEquals("<h1>one</h1>", Files.readString(volume.resolve("web/index.html")));

        Files.writeString(volume.resolve("left-by-the-last-run.txt"), "x"); // a restarted pod's emptyDir keeps it
        byte[] second = archive("two", "<h1>two</h1>");
        CodeFetcher.replace(stored("code/a/e/two.tar.gz", second), volume, sha(second), LIMITS);
        assertEquals("<h1>two</h1>", Files.readString(volume.resolve("web/index.html")));
        assertEquals(List.of("", "app.json", "web", "web/index.html"), listing(volume), "exactly the new tree, nothing of the old");
    }

    @Test
    void aWrongDigestIsRefusedAndLeavesTheVolumeAsItWas() throws Exception {
        Path volume = work.resolve("code");
        byte[] good = archive("good", "<h1>good</h1>");
        CodeFetcher.replace(stored("code/a/e/good.tar.gz", good), volume, sha(good), LIMITS);
        List<String> before = listing(volume);

        byte[] other = archive("other", "<h1>other</h1>");
        var e = assertThrows(EnvironmentCode.DigestMismatchException.class,
                () -> CodeFetcher.replace(stored("code/a/e/other.tar.gz", other), volume, sha(good), LIMITS));
        assertTrue(e.getMessage().contains("not the expected " + sha(good)), e.getMessage());
        assertEquals(before, listing(volume), "the previous code stays, no incoming folder");
        assertEquals("<h1>good</h1>", Files.readString(volume.resolve("web/index.html")));
    }

    @Test
    void aTruncatedDownloadFailsClearlyAndUnpacksNothing() throws Exception {
        byte[] whole = archive("whole", "<h1>" + "x".repeat(200_000) + "</h1>");
        byte[] truncated = Arrays.copyOf(whole, whole.length / 2);
        Path volume = work.resolve("code");
        var e = assertThrows(IOException.class,
                () -> CodeFetcher.replace(stored("code/a/e/truncated.tar.gz", truncated), volume, sha(whole), LIMITS));
        assertTrue(e.getMessage().toLowerCase().contains("truncated") || e.getMessage().toLowerCase().contains("end"), e.getMessage());
        assertEquals(List.of(""), listing(volume), "nothing half-unpacked");
    }

    @Test
    void aTamperedDownloadFailsAndUnpacksNothing() throws Exception {
        byte[] whole = archive("whole", "<h1>whole</h1>");
        byte[] tampered = whole.clone();
        tampered[tampered.length / 2] ^= 0x5a;
        Path volume = work.resolve("code");
        assertThrows(Exception.class, () -> CodeFetcher.replace(stored("code/a/e/tampered.tar.gz", tampered), volume, sha(whole), LIMITS));
        assertEquals(List.of(""), listing(volume), "nothing half-unpacked");
    }

    private record Exit(int code, String out, String err) {
    }

    /** The init container's command, as a process: {@code fetch-code <folder> <sha256> <limits>}, the URL in its environment. */
    private Exit fetchCode(URI url, Path folder, String sha) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-cp", CodeFetcher.classpath(), CodeFetcher.class.getName(), "fetch-code", folder.toString(), sha,
                Long.toString(LIMITS.maxArchiveBytes()), Integer.toString(LIMITS.maxEntries()), Long.toString(LIMITS.maxExpandedBytes()));
        builder.environment().put(CodeFetcher.URL_VARIABLE, url.toString());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        return new Exit(process.exitValue(), out, err);
    }

    @Test
    void theInitContainersCommandExitsZeroWhenDoneAndThreeOnAWrongDigestWithoutTheSignatureInItsOutput() throws Exception {
        byte[] good = archive("p", "<h1>p</h1>");
        URI url = stored("code/a/e/p.tar.gz", good);
        Path volume = work.resolve("volume");

        Exit done = fetchCode(url, volume, sha(good));
        assertEquals(0, done.code(), done.err());
        assertTrue(done.out().contains("code " + sha(good) + " unpacked into " + volume), done.out());
        assertEquals("<h1>p</h1>", Files.readString(volume.resolve("web/index.html")));

        Exit wrong = fetchCode(url, work.resolve("other"), "0".repeat(64));
        assertEquals(3, wrong.code(), wrong.err());
        assertTrue(wrong.err().contains("not the expected " + "0".repeat(64)), wrong.err());
        assertEquals(List.of(""), listing(work.resolve("other")));

        URI forged = URI.create(url.toString().replaceFirst("X-Amz-Signature=[0-9a-f]+", "X-Amz-Signature=" + "0".repeat(64)));
        Exit refused = fetchCode(forged, work.resolve("third"), sha(good));
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("answered 403") && !refused.err().contains("X-Amz-Signature"), refused.err());
    }

    @Test
    void aRefusedUrlSaysSoWithoutItsSignature() throws Exception {
        byte[] code = archive("c", "<h1>c</h1>");
        URI url = stored("code/a/e/c.tar.gz", code);
        URI forged = URI.create(url.toString().replaceFirst("X-Amz-Signature=[0-9a-f]+", "X-Amz-Signature=" + "0".repeat(64)));
        var e = assertThrows(IOException.class, () -> CodeFetcher.replace(forged, work.resolve("code"), sha(code), LIMITS));
        assertTrue(e.getMessage().contains("answered 403"), e.getMessage());
        String line = CodeFetcher.withoutSignature("failed for " + forged, forged.toString());
        assertTrue(!line.contains("X-Amz-Signature") && line.contains("[signature withheld]"), line);
    }
}
