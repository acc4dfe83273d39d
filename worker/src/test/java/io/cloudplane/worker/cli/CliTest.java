package io.cloudplane.worker.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI without a server: parsing, usage errors (exit 2), the credentials file, and the progress display. */
class CliTest {
    @TempDir
    Path home;

    private CliRunner cli() {
        return new CliRunner(Map.of("HOME", home.toString()), 10);
    }

    @Test
    void withoutACommandOrWithAnUnknownOneItIsAUsageError() {
        var none = cli().run();
        assertEquals(2, none.exit(), none.toString());
        assertTrue(none.err().contains("apps:create") && none.err().contains("backups:restore"), "the usage lists the commands: " + none);
        var unknown = cli().run("apps:explode");
        assertEquals(2, unknown.exit(), unknown.toString());
    }

    @Test
    void missingArgumentsAndOptionsAreUsageErrors() {
        assertEquals(2, cli().run("envs:create", "staging", "-a", "shop").exit(), "--type is required");
        assertEquals(2, cli().run("apps:create").exit(), "NAME is required");
        assertEquals(2, cli().run("members:invite", "a@example.com", "--first-name", "A").exit());
        assertEquals(2, cli().run("logs", "-n", "many").exit(), "-n takes a number");
        assertEquals(2, cli().run("apps:create", "shop", "--wait=perhaps").exit(), "--wait takes true or false");
    }

    @Test
    void helpListsEveryCommandAndExitsZero() {
        var help = cli().run("--help");
        assertEquals(0, help.exit(), help.toString());
        for (String command : List.of("login", "logout", "apps", "apps:create", "apps:clone", "apps:destroy", "envs", "envs:create",
                "envs:restart", "envs:stop", "envs:start", "code:push", "releases", "releases:create", "deploy", "promote",
                "promotions:approve", "backups", "backups:capture", "backups:restore", "logs", "members", "members:invite",
                "domains", "domains:add", "sftp", "operations:cancel")) {
            assertTrue(help.out().contains(command), command + " in " + help.out());
        }
        var one = cli().run("envs:create", "--help");
        assertEquals(0, one.exit(), one.toString());
        assertTrue(one.out().contains("--type") && one.out().contains("--wait") && one.out().contains("-a, --app"), one.out());
    }

    @Test
    void withoutATerminalLoginNeedsItsEmailAndPasswordAsOptions() {
        var login = cli().run("login");
        assertEquals(2, login.exit(), login.toString());
        assertTrue(login.err().contains("--email"), login.toString());
        var noPassword = cli().run("login", "--email", "ada@example.com");
        assertEquals(2, noPassword.exit(), noPassword.toString());
        assertTrue(noPassword.err().contains("--password-stdin"), noPassword.toString());
    }

    @Test
    void aReadWithoutATokenFailsWithExitOneAndSaysHowToLogIn() {
        var apps = cli().run("apps", "--json");
        assertEquals(1, apps.exit(), apps.toString());
        assertTrue(apps.err().contains("cloudplane login"), apps.toString());
        assertEquals("", apps.out(), "nothing on stdout");
    }

    @Test
    void anUnreachableApiIsAFailureNotAUsageError() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        var apps = new CliRunner(Map.of("HOME", home.toString(), "CLOUDPLANE_API_URL", "http://127.0.0.1:" + port,
                "CLOUDPLANE_API_KEY", "cpt_x"), 10).run("apps");
        assertEquals(1, apps.exit(), apps.toString());
        assertTrue(apps.err().contains("Cannot reach the API at http://127.0.0.1:" + port), apps.toString());
    }

    @Test
    void theCredentialsFileIsTheUsersOnlyAndTheEnvironmentOverridesIt() throws Exception {
        Map<String, String> env = Map.of("HOME", home.toString());
        new Credentials("http://cloudplane.example:8080", "secret-token", "ada@example.com").save(env);
        Path file = home.resolve(".config/cloudplane/credentials");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals(new Credentials("http://cloudplane.example:8080", "secret-token", "ada@example.com"), Credentials.load(env));

        var overridden = Credentials.load(Map.of("HOME", home.toString(), "CLOUDPLANE_API_URL", "http://other:9000/",
                "CLOUDPLANE_API_KEY", "cpt_key"));
        assertEquals("http://other:9000", overridden.apiUrl());
        assertEquals("cpt_key", overridden.token());

        var logout = cli().run("logout");
        assertEquals(0, logout.exit(), logout.toString());
        assertFalse(Files.exists(file));
        assertNull(Credentials.load(env).token());
        assertEquals(Credentials.DEFAULT_URL, Credentials.load(env).apiUrl());
    }

    @Test
    void logsTailPrintsOnlyTheLinesAddedSinceTheLastPoll() {
        assertEquals(2, Commands.Logs.overlap(List.of("a", "b", "c"), List.of("b", "c", "d", "e")));
        assertEquals(3, Commands.Logs.overlap(List.of("a", "b", "c"), List.of("a", "b", "c")));
        assertEquals(0, Commands.Logs.overlap(List.of("a", "b"), List.of("x", "y")));
        assertEquals(List.of("one", "two"), Commands.Logs.lines("one\ntwo\n"));
        assertEquals(List.of(), Commands.Logs.lines(""));
    }

    @Test
    void withoutATerminalTheProgressWritesALinePerChangeOfStepThenTheOutcomeSaysWhy() throws Exception {
        List<JsonNode> answers = List.of(
                op("RUNNING", "[{\"name\":\"create-database\",\"status\":\"RUNNING\"}]", null),
                op("RUNNING", "[{\"name\":\"create-database\",\"status\":\"RUNNING\"}]", null),
                op("RUNNING", "[{\"name\":\"create-database\",\"status\":\"SUCCEEDED\"},{\"name\":\"start-server\",\"status\":\"RUNNING\"}]", null),
                op("FAILED", "[{\"name\":\"create-database\",\"status\":\"SUCCEEDED\"},{\"name\":\"start-server\",\"status\":\"FAILED\",\"error\":\"exited with 3\"}]",
                        "the server did not become healthy"));
        Iterator<JsonNode> polls = answers.iterator();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        JsonNode last = new Progress(new PrintStream(err, true, StandardCharsets.UTF_8), false, 1)
                .follow(polls::next, Progress::describeOperation, o -> Progress.OPERATION_ENDS.contains(o.path("status").asText()));
        assertFalse(polls.hasNext(), "followed to the end");
        assertEquals(List.of("  PROVISION_ENVIRONMENT: step 1 create-database (RUNNING)",
                "  PROVISION_ENVIRONMENT: step 2 start-server (RUNNING)",
                "  PROVISION_ENVIRONMENT: step 2 start-server (FAILED)"), err.toString(StandardCharsets.UTF_8).lines().toList());
        String outcome = Progress.outcome(last);
        assertTrue(outcome.contains("failed") && outcome.contains("the server did not become healthy")
                && outcome.contains("start-server: exited with 3"), outcome);
    }

    @Test
    void onATerminalTheProgressRedrawsOneLineWithASpinner() throws Exception {
        Iterator<JsonNode> polls = List.of(op("RUNNING", "[{\"name\":\"a\",\"status\":\"RUNNING\"}]", null),
                op("SUCCEEDED", "[{\"name\":\"a\",\"status\":\"SUCCEEDED\"}]", null)).iterator();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        new Progress(new PrintStream(err, true, StandardCharsets.UTF_8), true, 1)
                .follow(polls::next, Progress::describeOperation, o -> Progress.OPERATION_ENDS.contains(o.path("status").asText()));
        String shown = err.toString(StandardCharsets.UTF_8);
        assertTrue(shown.contains("\r\033[K| PROVISION_ENVIRONMENT: step 1 a (RUNNING)")
                && shown.contains("\r\033[K/ PROVISION_ENVIRONMENT: step 1 a (SUCCEEDED)"), shown);
        assertFalse(shown.contains("\n"), "one line, redrawn");
    }

    private static JsonNode op(String status, String steps, String error) throws Exception {
        return Api.JSON.readTree("{\"id\":\"op-1\",\"type\":\"PROVISION_ENVIRONMENT\",\"status\":\"" + status + "\",\"steps\":" + steps
                + (error == null ? "" : ",\"error\":\"" + error + "\"") + "}");
    }

    /**
     * {@code operations:cancel ID} posts the cancel and follows the operation: CANCELLED is its success (exit 0);
     * the API's refusal (409) is shown in its words with exit 1. A JDK HTTP server stands in for the API.
     */
    @Test
    void operationsCancelFollowsTheOperationToCancelledAndShowsARefusalInWords() throws Exception {
        String cancellable = "11111111-1111-1111-1111-111111111111";
        String ended = "22222222-2222-2222-2222-222222222222";
        List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer api = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/api/v1/operations/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            requests.add(exchange.getRequestMethod() + " " + path);
            int status;
            String body;
            if (path.endsWith(ended + "/cancel")) {
                status = 409;
                body = "{\"type\":\"about:blank\",\"title\":\"Conflict\",\"status\":409,"
                        + "\"detail\":\"Operation " + ended + " has already ended (SUCCEEDED): there is nothing to cancel\"}";
            } else {
                status = path.endsWith("/cancel") ? 202 : 200;
                String now = path.endsWith("/cancel") ? "RUNNING" : "CANCELLED";
                body = "{\"id\":\"" + cancellable + "\",\"type\":\"PROVISION_ENVIRONMENT\",\"status\":\"" + now + "\",\"steps\":[],"
                        + "\"error\":" + (now.equals("CANCELLED") ? "\"Provisioning was cancelled on request\"" : "null") + "}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        api.start();
        try {
            var runner = new CliRunner(Map.of("HOME", home.toString(), "CLOUDPLANE_API_URL", "http://127.0.0.1:" + api.getAddress().getPort(),
                    "CLOUDPLANE_API_KEY", "cpt_x"), 10);
            var cancelled = runner.run("operations:cancel", cancellable);
            assertEquals(0, cancelled.exit(), cancelled.toString());
            assertEquals("Cancelled " + cancellable + "\n", cancelled.out());
            assertTrue(cancelled.err().contains("PROVISION_ENVIRONMENT cancelled") && cancelled.err().contains("cancelled on request"),
                    cancelled.toString());
            assertEquals("POST /api/v1/operations/" + cancellable + "/cancel", requests.get(0));
            assertTrue(requests.contains("GET /api/v1/operations/" + cancellable), requests.toString());

            var refused = runner.run("operations:cancel", ended);
            assertEquals(1, refused.exit(), refused.toString());
            assertTrue(refused.err().contains("has already ended (SUCCEEDED): there is nothing to cancel"), refused.toString());
            assertEquals("", refused.out());
        } finally {
            api.stop(0);
        }
    }
}
