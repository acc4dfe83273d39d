package io.cloudplane.worker;

import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * Runs the packaged all-in-one ({@code java -jar worker/target/cloudplane.jar}, as the README
 * does) as a child process, and talks to it over HTTP like a user. Used by the end-to-end test
 * and by the benchmarks.
 */
public final class AllInOne implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("Cloudplane is ready at (http://\\S+)");
    private final Path dataDir;
    private final Map<String, String> environment;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json = JsonMapper.createDefault();
    private Process process;
    private Path log;
    private String baseUrl;
    private long startMillis;

    public AllInOne(Path dataDir, Map<String, String> extraEnvironment) {
        this.dataDir = dataDir;
        this.environment = new HashMap<>(extraEnvironment);
        environment.put("CLOUDPLANE_DATA_DIR", dataDir.toString());
        environment.putIfAbsent("MICRONAUT_SERVER_PORT", Integer.toString(freePort()));
        environment.putIfAbsent("CLOUDPLANE_GATEWAY_PORT", Integer.toString(freePort()));
        environment.putIfAbsent("CLOUDPLANE_GATEWAY_TLS_PORT", Integer.toString(freePort()));
        environment.putIfAbsent("CLOUDPLANE_SFTP_PORT", Integer.toString(freePort()));
        environment.putIfAbsent("CLOUDPLANE_EMBEDDED_TEMPORAL_PORT", Integer.toString(freePort()));
        environment.putIfAbsent("CLOUDPLANE_EMBEDDED_POSTGRES_PORT", Integer.toString(freePort()));
        // Tests and benchmarks sign up and log in many users from 127.0.0.1: the defaults (5 sign-ups an hour per
        // address) would refuse them. A test of the limits themselves passes its own.
        environment.putIfAbsent("CLOUDPLANE_RATE_LIMIT_SIGN_UPS_PER_ADDRESS", "100000");
        environment.putIfAbsent("CLOUDPLANE_RATE_LIMIT_LOGINS_PER_ADDRESS", "100000");
    }

    public static Path jar() {
        Path jar = Path.of(System.getProperty("cloudplane.jar", "target/cloudplane.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run the package phase first");
        }
        return jar;
    }

    /** Starts the process and waits for its "ready" line; returns the milliseconds it took. */
    public long start() throws IOException, InterruptedException {
        Files.createDirectories(dataDir);
        log = dataDir.resolve("all-in-one-" + System.nanoTime() + ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        String archive = System.getProperty("cloudplane.cds.archive", "");
        if (!archive.isBlank() && Files.exists(Path.of(archive))) {
            command.addAll(List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        }
        command.addAll(List.of("-jar", jar().toAbsolutePath().toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        long started = System.nanoTime();
        process = builder.start();
        try {
            baseUrl = await("the all-in-one's ready line").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                    .until(this::readyUrl, Optional::isPresent).orElseThrow();
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("the all-in-one was not ready within 120 s:\n" + output(), e);
        }
        startMillis = (System.nanoTime() - started) / 1_000_000;
        return startMillis;
    }

    /** The URL of the ready line, once the process printed it; fails when the process ended without it. */
    private Optional<String> readyUrl() throws IOException {
        Matcher ready = READY.matcher(Files.readString(log));
        if (ready.find()) {
            return Optional.of(ready.group(1).replaceAll("/$", ""));
        }
        if (!process.isAlive()) {
            throw new IllegalStateException("the all-in-one exited with " + process.exitValue() + ":\n" + output());
        }
        return Optional.empty();
    }

    /** Stops the process as Ctrl-C would (SIGTERM), and waits for it to end. */
    public int stop() throws InterruptedException {
        if (process == null) {
            return 0;
        }
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        int exit = process.exitValue();
        process = null;
        return exit;
    }

    /** Kills the process with SIGKILL, as a crash or the OOM killer would, and waits for it to end. */
    public void kill() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        process.waitFor();
        process = null;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    public String output() {
        try {
            return log == null ? "" : Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** The embedded Temporal's gRPC address. */
    public String temporalTarget() {
        return "127.0.0.1:" + environment.get("CLOUDPLANE_EMBEDDED_TEMPORAL_PORT");
    }

    /** The running process's ID (for sampling its memory from outside). */
    public long pid() {
        if (process == null) {
            throw new IllegalStateException("the all-in-one is not running");
        }
        return process.pid();
    }

    public int postgresPort() {
        return Integer.parseInt(environment.get("CLOUDPLANE_EMBEDDED_POSTGRES_PORT"));
    }

    /** The embedded PostgreSQL superuser's password, which the all-in-one generates into its data directory's keys. */
    public String postgresPassword() {
        try {
            return Files.readString(dataDir.resolve("keys").resolve("postgres.key")).trim();
        } catch (IOException e) {
            throw new IllegalStateException("the all-in-one has not written its PostgreSQL key yet", e);
        }
    }

    /** Signs up a new account (its email starts with {@code prefix}) and returns a session token for it. */
    public String signUp(String prefix, String firstName, String lastName) throws IOException, InterruptedException {
        String email = prefix + "-" + java.util.UUID.randomUUID() + "@example.com";
        Response account = call("POST", "/api/v1/accounts", null,
                Map.of("email", email, "password", "correct-horse-battery", "firstName", firstName, "lastName", lastName));
        if (account.status() != 201) {
            throw new IllegalStateException("sign-up answered " + account.status() + ": " + account.raw());
        }
        return call("POST", "/api/v1/sessions", null, Map.of("email", email, "password", "correct-horse-battery")).get("accessToken");
    }

    /** The JDBC URL of an environment's database in the embedded PostgreSQL (user postgres, with {@link #postgresPassword()}). */
    public String environmentDatabaseUrl(String envId) {
        return "jdbc:postgresql://127.0.0.1:" + postgresPort() + "/"
                + io.cloudplane.infra.environment.EnvironmentRecord.databaseNameFor(java.util.UUID.fromString(envId));
    }

    /** {@code location}: the Location header, or null. */
    public record Response(int status, Map<String, Object> body, String raw, String location) {
        @SuppressWarnings("unchecked")
        public <T> T get(String path) {
            Object current = body;
            for (String key : path.split("\\.")) {
                current = current == null ? null : ((Map<String, Object>) current).get(key);
            }
            return (T) current;
        }
    }

    public Response call(String method, String path, String token, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Object> parsed = response.body().isBlank() || !response.body().startsWith("{") ? Map.of()
                : json.readValue(response.body(), Argument.mapOf(String.class, Object.class));
        return new Response(response.statusCode(), parsed, response.body(), response.headers().firstValue("Location").orElse(null));
    }

    /** Waits for the operation that a create's 202 answer embeds beside what it created (see {@link #awaitOperation}). */
    public Response awaitCreated(Response created, String token, Duration timeout) throws IOException, InterruptedException {
        String operationId = created.get("operation.id");
        if (operationId == null) {
            throw new IllegalStateException("not a create's answer, with its operation: " + created.raw());
        }
        return awaitOperation(operationId, token, timeout);
    }

    /** Polls an operation until it ends; fails when it does not end within {@code timeout}. */
    public Response awaitOperation(String operationId, String token, Duration timeout) throws IOException, InterruptedException {
        return await("operation " + operationId + " to end").atMost(timeout).pollInterval(Duration.ofMillis(25))
                .until(() -> call("GET", "/api/v1/operations/" + operationId, token, null),
                        op -> "SUCCEEDED".equals(op.get("status")) || "FAILED".equals(op.get("status")) || "CANCELLED".equals(op.get("status")));
    }

    public int get(String url) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The processes (environment servers) started for {@code envId}, found by their command-line marker. */
    public static List<ProcessHandle> serverProcesses(String envId) {
        List<ProcessHandle> found = new ArrayList<>();
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("-Dcloudplane.env=" + envId)).orElse(false))
                .forEach(found::add);
        return found;
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
