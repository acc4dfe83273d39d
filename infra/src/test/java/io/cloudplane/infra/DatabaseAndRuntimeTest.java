package io.cloudplane.infra;

import io.cloudplane.infra.crypto.RandomTokens;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.database.DatabaseProvisioner;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.runtime.EnvironmentRuntime;
import io.cloudplane.infra.runtime.HealthReport;
import io.cloudplane.infra.runtime.LocalProcessRuntime;
import io.cloudplane.infra.runtime.ServerCatalog;
import io.cloudplane.infra.runtime.ServerEndpoint;
import io.cloudplane.infra.runtime.ServerExitedEvent;
import io.cloudplane.infra.runtime.ServerSpec;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@MicronautTest(transactional = false)
class DatabaseAndRuntimeTest {
    @Inject DatabaseProvisioner databases;
    @Inject EnvironmentRuntime runtime;
    @Inject EnvironmentFiles files;
    @Inject ServerCatalog catalog;
    @Inject SecretBox secrets;
    @Inject ExitRecorder exits;

    private final HttpClient http = HttpClient.newHttpClient();

    @Singleton
    static class ExitRecorder {
        final List<ServerExitedEvent> events = new CopyOnWriteArrayList<>();

        @EventListener
        void onExit(ServerExitedEvent event) {
            events.add(event);
        }
    }

    @Test
    void createsAnIsolatedDatabaseWithItsOwnLoginIdempotentlyAndDropsIt() throws Exception {
        String name = "env_" + UUID.randomUUID().toString().replace("-", "");
        String password = RandomTokens.alphanumeric(32);
        databases.ensureDatabase(name, password);
        databases.ensureDatabase(name, password);
        assertTrue(databases.databaseExists(name));
        try (var c = DriverManager.getConnection(databases.jdbcUrlFor(name), name, password);
             var rs = c.createStatement().executeQuery("select current_database(), current_user")) {
            rs.next();
            assertEquals(name, rs.getString(1));
            assertEquals(name, rs.getString(2));
        }
        assertThrows(Exception.class, () -> DriverManager.getConnection(databases.jdbcUrlFor(name), name, "wrong-password"));

        databases.dropDatabase(name);
        databases.dropDatabase(name);
        assertFalse(databases.databaseExists(name));
        assertFalse(databases.roleExists(name));
    }

    @Test
    void refusesNamesThatAreNotSafeIdentifiers() {
        assertThrows(IllegalArgumentException.class, () -> databases.ensureDatabase("x; drop database postgres", RandomTokens.alphanumeric(32)));
    }

    @Test
    void secretsAreSealedAndOpened() {
        String sealed = secrets.encrypt("s3cret");
        assertFalse(sealed.contains("s3cret"));
        assertNotEquals(sealed, secrets.encrypt("s3cret"));
        assertEquals("s3cret", secrets.decrypt(sealed));
    }

    /** An environment's database and folders, and the spec of its server. */
    private ServerSpec prepareEnvironment(String envId) {
        String db = "env_" + envId.replace("-", "");
        String password = RandomTokens.alphanumeric(32);
        databases.ensureDatabase(db, password);
        files.createFolders(envId);
        return new ServerSpec(envId, catalog.defaultVersion(), null, databases.jdbcUrlFor(db), db, password);
    }

    @Test
    void theBuiltinServerServesCodeAnswersHealthWithItsDatabaseAndStops() throws Exception {
        String envId = UUID.randomUUID().toString();
        ServerSpec spec = prepareEnvironment(envId);
        String db = spec.databaseUser();
        Files.writeString(files.codeDir(envId).resolve("hello.txt"), "hello from code");
        assertEquals(2, catalog.all().size());

        ServerEndpoint endpoint = runtime.start(spec);
        assertEquals(endpoint, runtime.start(spec), "a second start of a running server changes nothing");
        HealthReport health = awaitHealthy(envId);
        assertTrue(health.detail().contains("\"database\":\"UP\""), health.detail());
        assertTrue(health.detail().contains(catalog.defaultVersion().version()), health.detail());

        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(endpoint.previewUrl() + "hello.txt")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertEquals("hello from code", page.body());
        HttpResponse<String> escape = http.send(HttpRequest.newBuilder(URI.create(endpoint.previewUrl() + "..%2F..%2Frun%2Fserver.pid")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, escape.statusCode());

        long pid = ((LocalProcessRuntime) runtime).pid(envId).orElseThrow();
        runtime.stop(envId);
        runtime.stop(envId);
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(runtime.isRunning(envId));
        assertTrue(exits.events.stream().noneMatch(e -> e.envId().equals(envId)), "a requested stop is not a crash");
        databases.dropDatabase(db);
        files.deleteFolders(envId);
    }

    /**
     * What the gateway's tests read: the identity and forwarding headers as received (null when
     * absent, an HTML page on request), and bodies far larger than the server's 48 MiB heap, up and
     * down, streamed.
     */
    @Test
    void theBuiltinServerShowsTheHeadersItReceivedAndStreamsUploadsAndDownloads() throws Exception {
        String envId = UUID.randomUUID().toString();
        ServerSpec spec = prepareEnvironment(envId);
        Files.writeString(files.codeDir(envId).resolve("hello.txt"), "hello from code");
        ServerEndpoint endpoint = runtime.start(spec);
        awaitHealthy(envId);
        String base = endpoint.previewUrl();
        try {
            HttpResponse<String> bare = http.send(HttpRequest.newBuilder(URI.create(base + "_identity")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, bare.statusCode());
            assertEquals("{\"userId\":null,\"userEmail\":null,\"profile\":null,\"role\":null,\"forwardedFor\":null,"
                    + "\"forwardedProto\":null,\"forwardedHost\":null}", bare.body());
            HttpResponse<String> signedIn = http.send(HttpRequest.newBuilder(URI.create(base + "_identity"))
                    .header("X-Cloudplane-User-Id", "0b9f4c1e-0000-4000-8000-000000000001")
                    .header("X-Cloudplane-User-Email", "ada\"<b>@example.com")
                    .header("X-Cloudplane-Profile", "editor").header("X-Cloudplane-Role", "developer")
                    .header("X-Forwarded-For", "203.0.113.9").header("X-Forwarded-Proto", "https")
                    .header("X-Forwarded-Host", "shop.example.com").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("{\"userId\":\"0b9f4c1e-0000-4000-8000-000000000001\",\"userEmail\":\"ada\\\"<b>@example.com\","
                    + "\"profile\":\"editor\",\"role\":\"developer\",\"forwardedFor\":\"203.0.113.9\",\"forwardedProto\":\"https\","
                    + "\"forwardedHost\":\"shop.example.com\"}", signedIn.body());
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "_identity"))
                    .header("Accept", "text/html,application/xhtml+xml").header("X-Cloudplane-User-Email", "ada\"<b>@example.com").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), page.headers().toString());
            assertTrue(page.body().contains("<th>X-Cloudplane-User-Email</th><td>ada&quot;&lt;b&gt;@example.com</td>"), page.body());
            assertTrue(page.body().contains("<th>X-Cloudplane-User-Id</th><td><em>absent</em></td>"), page.body());

            long size = 128L * 1024 * 1024 + 7; // well over the server's heap
            java.security.MessageDigest expected = java.security.MessageDigest.getInstance("SHA-256");
            HttpResponse<String> uploaded = http.send(HttpRequest.newBuilder(URI.create(base + "_upload"))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.security.DigestInputStream(pattern(size), expected)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, uploaded.statusCode(), uploaded.body());
            assertEquals("{\"bytes\":" + size + ",\"sha256\":\"" + java.util.HexFormat.of().formatHex(expected.digest()) + "\"}",
                    uploaded.body());
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + "_upload"))
                    .PUT(HttpRequest.BodyPublishers.ofString("abc")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("{\"bytes\":3,\"sha256\":\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}", put.body());

            HttpResponse<java.io.InputStream> download = http.send(HttpRequest.newBuilder(URI.create(base + "_download?bytes=" + size))
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, download.statusCode());
            assertEquals(String.valueOf(size), download.headers().firstValue("Content-Length").orElse(null));
            java.security.MessageDigest received = java.security.MessageDigest.getInstance("SHA-256");
            java.security.MessageDigest generated = java.security.MessageDigest.getInstance("SHA-256");
            try (var in = download.body(); var reference = pattern(size)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    received.update(buffer, 0, n);
                }
                for (int n; (n = reference.read(buffer)) > 0; ) {
                    generated.update(buffer, 0, n);
                }
            }
            assertEquals(java.util.HexFormat.of().formatHex(generated.digest()), java.util.HexFormat.of().formatHex(received.digest()),
                    "byte i is i % 251");
            assertEquals(0, http.send(HttpRequest.newBuilder(URI.create(base + "_download?bytes=0")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body().length);
            for (String bad : List.of("", "?bytes=-1", "?bytes=lots", "?size=3")) {
                assertEquals(400, http.send(HttpRequest.newBuilder(URI.create(base + "_download" + bad)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode(), bad);
            }
            assertEquals(405, http.send(HttpRequest.newBuilder(URI.create(base + "_upload")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals("hello from code", http.send(HttpRequest.newBuilder(URI.create(base + "hello.txt")).build(),
                    HttpResponse.BodyHandlers.ofString()).body(), "the code is served as before");
            assertTrue(runtime.checkHealth(envId).healthy(), "alive after it all: " + runtime.recentOutput(envId));
        } finally {
            runtime.stop(envId);
            databases.dropDatabase(spec.databaseUser());
            files.deleteFolders(envId);
        }
    }

    /** {@code size} bytes, byte i being {@code i % 251}: the built-in server's download pattern. */
    private static java.io.InputStream pattern(long size) {
        return new java.io.InputStream() {
            long position;

            @Override
            public int read() {
                return position < size ? (int) (position++ % 251) : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (position >= size) {
                    return -1;
                }
                int n = (int) Math.min(len, size - position);
                for (int i = 0; i < n; i++) {
                    b[off + i] = (byte) (position++ % 251);
                }
                return n;
            }
        };
    }

    @Test
    void withAGatewayKeyTheBuiltinServerAnswersOnlyRequestsThatCarryIt() throws Exception {
        String envId = UUID.randomUUID().toString();
        ServerSpec open = prepareEnvironment(envId);
        String key = secrets.derive("gateway-key/" + envId);
        ServerSpec spec = new ServerSpec(envId, open.version(), null, open.databaseUrl(), open.databaseUser(), open.databasePassword(), key);
        Files.writeString(files.codeDir(envId).resolve("hello.txt"), "hello from code");
        ServerEndpoint endpoint = runtime.start(spec);
        try {
            awaitHealthy(envId); // the health check needs no key: Cloudplane's own probe and operators use it
            HttpResponse<String> bare = http.send(HttpRequest.newBuilder(URI.create(endpoint.previewUrl() + "hello.txt"))
                    .header("X-Cloudplane-User-Id", "forged").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, bare.statusCode(), "a local process that opens the port itself is refused");
            HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(endpoint.previewUrl() + "_identity"))
                    .header("X-Cloudplane-Gateway-Key", key.substring(1) + "0").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, wrong.statusCode());
            HttpResponse<String> upload = http.send(HttpRequest.newBuilder(URI.create(endpoint.previewUrl() + "_upload"))
                    .POST(HttpRequest.BodyPublishers.ofString("not through the gateway")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, upload.statusCode());
            HttpResponse<String> keyed = http.send(HttpRequest.newBuilder(URI.create(endpoint.previewUrl() + "hello.txt"))
                    .header("X-Cloudplane-Gateway-Key", key).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, keyed.statusCode());
            assertEquals("hello from code", keyed.body());
            assertEquals(key, secrets.derive("gateway-key/" + envId), "the same key on every derivation");
            assertFalse(key.equals(secrets.derive("gateway-key/" + UUID.randomUUID())), "each environment has its own");
        } finally {
            runtime.stop(envId);
            databases.dropDatabase(open.databaseUser());
            files.deleteFolders(envId);
        }
    }

    @Test
    void aServerThatDiesIsReported() throws Exception {
        String envId = UUID.randomUUID().toString();
        ServerSpec spec = prepareEnvironment(envId);
        String db = spec.databaseUser();
        runtime.start(spec);
        awaitHealthy(envId);
        long pid = ((LocalProcessRuntime) runtime).pid(envId).orElseThrow();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                assertTrue(exits.events.stream().anyMatch(e -> e.envId().equals(envId)), "the death was published"));
        assertFalse(runtime.checkHealth(envId).processAlive());
        assertTrue(runtime.checkHealth(envId).detail().contains("exited with code"), runtime.checkHealth(envId).detail());
        runtime.stop(envId);
        databases.dropDatabase(db);
        files.deleteFolders(envId);
    }

    private HealthReport awaitHealthy(String envId) {
        AtomicReference<HealthReport> report = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            report.set(runtime.checkHealth(envId));
            assertTrue(report.get().healthy(), () -> "not healthy: " + report.get() + " / " + runtime.recentOutput(envId));
        });
        return report.get();
    }
}
