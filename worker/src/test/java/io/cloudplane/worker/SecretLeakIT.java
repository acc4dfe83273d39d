package io.cloudplane.worker;

import io.cloudplane.infra.crypto.RandomTokens;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No secret leaks (issue 12, section 4). Drives the packaged all-in-one through most of what it
 * does (sign-up, sessions, API tokens, provisioning, database credentials, the Studio, code,
 * releases, promotion, deployments, backups, a restore, a clone, server actions, a sandbox falling
 * asleep with its email, deletions), collects every secret it generated (environment database
 * passwords, session and API tokens, every key under the data directory's {@code keys/}), then
 * searches for each, in the plain, Base64, hex and URL-encoded forms it could take, in: every API
 * response except the one meant to show it, every line the process logged, every workflow history
 * read back through Temporal's API, every email in the outbox, and the served OpenAPI document.
 * The count must be 0. Positive controls prove the search finds a secret where it is meant to be.
 */
class SecretLeakIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A secret and the one kind of response that is meant to show it. */
    /** {@code mailedTo}: the recipient of the one email meant to carry it (an invitation's token), or null. */
    private record Secret(String name, String value, String shownBy, String server, String mailedTo) {
        Secret(String name, String value, String shownBy) {
            this(name, value, shownBy, null, null);
        }

        Secret(String name, String value, String shownBy, String server) {
            this(name, value, shownBy, server, null);
        }
    }

    /** A response the test received, and the label of the call that produced it. */
    private record Seen(String call, String body) {
    }

    private final List<Seen> responses = new ArrayList<>();
    private final Map<String, Secret> secrets = new LinkedHashMap<>();
    private AllInOne cloudplane;

    private AllInOne.Response call(String label, String method, String path, String token, Object body) throws Exception {
        AllInOne.Response r = cloudplane.call(method, path, token, body);
        responses.add(new Seen(label, r.raw()));
        return r;
    }

    private void secret(String name, String value, String shownBy) {
        assertNotNull(value, "secret " + name + " was not found");
        assertTrue(value.length() >= 16, "secret " + name + " is too short to search for without false hits: " + value.length());
        secrets.put(name, new Secret(name, value, shownBy));
    }

    @Test
    void noGeneratedSecretAppearsAnywhereButWhereItIsMeantToBeShown() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "leak-").toAbsolutePath();
        // The session-signing key given as an operator would (a variable), so that a process that
        // inherits the control plane's environment shows it.
        String jwtSecret = RandomTokens.alphanumeric(48);
        secret("the configured session-signing key", jwtSecret, null);
        cloudplane = new AllInOne(dataDir, Map.of(
                "CLOUDPLANE_JWT_SECRET", jwtSecret,
                "CLOUDPLANE_SANDBOX_IDLE_PERIOD", "8s",
                "CLOUDPLANE_METRICS_INTERVAL", "1s",
                "CLOUDPLANE_DEPLOY_HEALTH_TIMEOUT", "60s"));
        try (AllInOne running = cloudplane) {
            cloudplane.start();
            scenario(dataDir);
            collectKeys(dataDir);

            Map<String, String> places = new LinkedHashMap<>();
            for (int i = 0; i < responses.size(); i++) {
                places.put("response " + i + " (" + responses.get(i).call() + ")", responses.get(i).body());
            }
            int logLines = 0;
            try (Stream<Path> logs = Files.list(dataDir)) {
                for (Path log : logs.filter(p -> p.getFileName().toString().startsWith("all-in-one-")).toList()) {
                    String text = Files.readString(log);
                    logLines += (int) text.lines().count();
                    places.put("log " + log.getFileName(), text);
                }
            }
            int emails = 0;
            try (Stream<Path> outbox = Files.list(dataDir.resolve("outbox"))) {
                for (Path eml : outbox.filter(p -> p.toString().endsWith(".eml")).toList()) {
                    emails++;
                    places.put("email " + eml.getFileName(), Files.readString(eml, StandardCharsets.ISO_8859_1));
                }
            }
            Map<String, String> environments = serverEnvironments();
            places.putAll(environments);
            Map<String, String> histories = histories();
            places.putAll(histories);
            String openapi = get(cloudplane.baseUrl() + "/openapi/cloudplane-1.yml");
            places.put("the OpenAPI document", openapi);

            // The search covers what it claims to: a scenario's worth of each place.
            assertTrue(responses.size() >= 40, "responses recorded: " + responses.size());
            assertTrue(logLines >= 20, "log lines: " + logLines);
            assertTrue(emails >= 1, "emails: " + emails);
            assertTrue(histories.size() >= 8, "workflow histories: " + histories.keySet());
            assertTrue(openapi.contains("/api/v1/apps"), "the OpenAPI document was fetched");
            assertTrue(environments.size() >= 2, "environment servers read: " + environments.keySet());
            assertTrue(secrets.size() >= 8, "secrets collected: " + secrets.keySet());

            // Positive controls: the search finds each shown secret in the response meant to show it.
            for (Secret s : secrets.values()) {
                if (s.shownBy() != null) {
                    assertTrue(responses.stream().anyMatch(r -> r.call().equals(s.shownBy()) && found(r.body(), s.value())),
                            s.name() + " is not found in its own response " + s.shownBy() + ": the search is blind");
                }
            }

            for (Secret s : secrets.values()) {
                if (s.mailedTo() != null) {
                    assertTrue(InvitationIT.tokenMailedTo(dataDir.resolve("outbox"), s.mailedTo()).filter(s.value()::equals).isPresent(),
                            s.name() + " is not in its own email: the search is blind");
                }
            }

            List<String> leaks = new ArrayList<>();
            for (Secret s : secrets.values()) {
                for (Map.Entry<String, String> place : places.entrySet()) {
                    boolean allowed = s.shownBy() != null && place.getKey().endsWith("(" + s.shownBy() + ")")
                            || place.getKey().equals("server environment of " + s.server())
                            || s.mailedTo() != null && place.getKey().startsWith("email ") && place.getValue().contains("To: " + s.mailedTo());
                    if (!allowed && found(place.getValue(), s.value())) {
                        leaks.add(s.name() + " in " + place.getKey());
                    }
                }
            }
            System.out.printf("secret-leak search: %d secrets x %d places (%d responses, %d log lines, %d emails, %d histories,"
                    + " 1 OpenAPI document): %d found%n", secrets.size(), places.size(), responses.size(), logLines, emails,
                    histories.size(), leaks.size());
            assertEquals(List.of(), leaks, "secrets found where they must not be");
        }
    }

    /** Every form a secret may take in text: as is, URL-encoded, and (for keys kept in Base64) hex and raw Base64 variants. */
    private static boolean found(String haystack, String secret) {
        Set<String> forms = new LinkedHashSet<>();
        forms.add(secret);
        forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
        forms.add(Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)));
        forms.add(secret.replace("\"", "\\\""));
        try {
            byte[] decoded = Base64.getDecoder().decode(secret);
            if (decoded.length >= 16) {
                forms.add(HexFormat.of().formatHex(decoded));
                forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(decoded));
                forms.add(new String(decoded, StandardCharsets.ISO_8859_1));
            }
        } catch (IllegalArgumentException notBase64) {
            // a token or password: its plain forms are enough
        }
        return forms.stream().anyMatch(haystack::contains);
    }

    /** Runs the scenario, recording every response. */
    private void scenario(Path dataDir) throws Exception {
        String email = "leak-" + java.util.UUID.randomUUID() + "@example.com";
        var account = call("sign-up", "POST", "/api/v1/accounts", null,
                Map.of("email", email, "password", "correct-horse-battery", "firstName", "Lea", "lastName", "Kage"));
        assertEquals(201, account.status(), account.raw());
        var session = call("session", "POST", "/api/v1/sessions", null, Map.of("email", email, "password", "correct-horse-battery"));
        String token = session.get("accessToken");
        secret("session token", token, "session");
        var second = call("second session", "POST", "/api/v1/sessions", null, Map.of("email", email, "password", "correct-horse-battery"));
        secret("second session token", second.get("accessToken"), "second session");

        String other = cloudplane.signUp("leak-other", "Otto", "Other");
        secret("another user's session token", other, null);
        call("other's apps", "GET", "/api/v1/apps", other, null);

        var created = call("token", "POST", "/api/v1/tokens", token, Map.of("name", "ci", "expiresInDays", 7));
        assertEquals(201, created.status(), created.raw());
        String apiToken = created.get("token");
        secret("API token", apiToken, "token");
        call("tokens", "GET", "/api/v1/tokens", token, null);
        var revoked = call("revoked token", "POST", "/api/v1/tokens", token, Map.of("name", "old"));
        secret("revoked API token", revoked.get("token"), "revoked token");
        call("revoke", "DELETE", "/api/v1/tokens/" + revoked.get("id"), token, null);

        // The sandbox: provisioned at sign-up, opened in the Studio, then left to fall asleep (an email).
        String sandboxId = account.get("sandboxAppId");
        String sandboxEnv = account.get("operation.envId");
        assertEquals("SUCCEEDED", cloudplane.awaitOperation(account.get("operation.id"), token, TIMEOUT).get("status"));
        String sandboxPath = "/api/v1/apps/" + sandboxId + "/environments/" + sandboxEnv;
        var sandboxCreds = call("sandbox credentials", "GET", sandboxPath + "/database-credentials", token, null);
        secrets.put("sandbox database password", new Secret("sandbox database password", sandboxCreds.get("password"),
                "sandbox credentials", sandboxEnv));
        call("studio", "POST", sandboxPath + "/studio-sessions", token, null);

        // An application, by API token: development, staging and production.
        var app = call("create app", "POST", "/api/v1/apps", apiToken, Map.of("name", "vault"));
        assertEquals(202, app.status(), app.raw());
        String appId = app.get("id");
        String devId = app.get("operation.envId");
        succeeded(app.get("operation.id"), apiToken);
        String stagingId = environment(appId, "staging", apiToken);
        String productionId = environment(appId, "production", apiToken);
        String base = "/api/v1/apps/" + appId;
        // An invitation (issue 13): its token goes by email only, never in a response, log or history.
        String invitee = "leak-invitee-" + java.util.UUID.randomUUID() + "@example.com";
        var invited = call("invite", "POST", base + "/environments/" + devId + "/members", apiToken,
                Map.of("email", invitee, "firstName", "In", "lastName", "Vitee", "profile", "user"));
        assertEquals(201, invited.status(), invited.raw());
        String invitationToken = org.awaitility.Awaitility.await("the invitation email").atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> InvitationIT.tokenMailedTo(dataDir.resolve("outbox"), invitee), java.util.Optional::isPresent).orElseThrow();
        secret("invitation token", invitationToken, null);
        secrets.put("invitation token", new Secret("invitation token", invitationToken, null, null, invitee));
        call("invitation", "GET", "/api/v1/invitations/" + invitationToken, null, null);
        call("members", "GET", base + "/environments/" + devId + "/members", apiToken, null);
        for (String env : List.of(devId, stagingId, productionId)) {
            var creds = call("credentials " + env, "GET", base + "/environments/" + env + "/database-credentials", apiToken, null);
            assertEquals(200, creds.status(), creds.raw());
            secrets.put("database password of " + env, new Secret("database password of " + env, creds.get("password"),
                    "credentials " + env, env));
            call("environment " + env, "GET", base + "/environments/" + env, apiToken, null);
        }

        // Code, a release, a promotion through staging into production, a deployment.
        var put = HTTP.send(HttpRequest.newBuilder(URI.create(cloudplane.baseUrl() + base + "/environments/" + devId + "/code"))
                .header("Authorization", "Bearer " + apiToken).header("Content-Type", "application/gzip")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(site())).build(), HttpResponse.BodyHandlers.ofString());
        responses.add(new Seen("upload", put.body()));
        assertEquals(200, put.statusCode(), put.body());
        var release = call("release", "POST", base + "/releases", apiToken, Map.of("name", "v1", "sourceEnvironmentId", devId));
        assertEquals(202, release.status(), release.raw());
        succeeded(release.get("operation.id"), apiToken);
        String releaseId = release.get("id");
        var promotion = call("promotion", "POST", base + "/promotions", apiToken, Map.of("releaseId", releaseId));
        assertEquals(202, promotion.status(), promotion.raw());
        String promotionId = promotion.get("id");
        await("the promotion to wait for approval").atMost(TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> "AWAITING_APPROVAL".equals(call("promotion status", "GET", base + "/promotions/" + promotionId, apiToken, null)
                        .get("status")));
        call("approve", "POST", base + "/promotions/" + promotionId + "/approve", token, Map.of("comment", "ok"));
        await("the promotion to finish").atMost(TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> "SUCCEEDED".equals(call("promotion status", "GET", base + "/promotions/" + promotionId, apiToken, null)
                        .get("status")));
        var deploy = call("deploy", "POST", base + "/environments/" + devId + "/deployments", apiToken, Map.of("releaseId", releaseId));
        assertEquals(202, deploy.status(), deploy.raw());
        succeeded(deploy.get("operation.id"), apiToken);

        // A backup of production, restored into staging; a schedule.
        var backup = call("backup", "POST", base + "/environments/" + productionId + "/backups", apiToken, null);
        assertEquals(202, backup.status(), backup.raw());
        String backupId = backup.get("id");
        await("the backup to complete").atMost(TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> "COMPLETED".equals(call("backup status", "GET",
                        base + "/environments/" + productionId + "/backups/" + backupId, apiToken, null).get("status")));
        call("backups", "GET", base + "/environments/" + productionId + "/backups", apiToken, null);
        call("schedule", "GET", base + "/environments/" + productionId + "/backup-schedule", apiToken, null);
        var restore = call("restore", "POST", base + "/environments/" + stagingId + "/restores", token, Map.of("backupId", backupId));
        assertEquals(202, restore.status(), restore.raw());
        succeeded(restore.get("id"), token);

        // Server actions, an update, logs, metrics, activity.
        var restart = call("restart", "POST", base + "/environments/" + devId + "/restart", apiToken, null);
        assertEquals(202, restart.status(), restart.raw());
        succeeded(restart.get("id"), apiToken);
        call("versions", "GET", "/api/v1/server-versions", apiToken, null);
        call("updates", "GET", base + "/environments/" + devId + "/updates", apiToken, null);
        call("logs", "GET", base + "/environments/" + devId + "/logs", apiToken, null);
        responses.add(new Seen("logs text", get(cloudplane.baseUrl() + base + "/environments/" + devId + "/logs", apiToken)));
        call("metrics", "GET", base + "/environments/" + devId + "/metrics", apiToken, null);
        for (String env : List.of(devId, stagingId, productionId)) {
            call("activity " + env, "GET", base + "/environments/" + env + "/activity", apiToken, null);
        }

        // A clone, then deletions.
        var clone = call("clone", "POST", base + "/clone", apiToken, Map.of("name", "vault-copy", "releaseId", releaseId));
        assertEquals(202, clone.status(), clone.raw());
        succeeded(clone.get("operation.id"), apiToken);
        String cloneId = clone.get("id");
        var cloneEnvs = call("clone environments", "GET", "/api/v1/apps/" + cloneId + "/environments", apiToken, null);
        for (Object item : (List<?>) cloneEnvs.body().get("items")) {
            String env = (String) ((Map<?, ?>) item).get("id");
            var creds = call("credentials " + env, "GET", "/api/v1/apps/" + cloneId + "/environments/" + env + "/database-credentials", apiToken, null);
            secrets.put("database password of clone " + env, new Secret("database password of clone " + env, creds.get("password"),
                    "credentials " + env, env));
        }
        call("apps", "GET", "/api/v1/apps", apiToken, null);
        call("app", "GET", base, apiToken, null);
        var deleteEnv = call("delete staging", "DELETE", base + "/environments/" + stagingId, apiToken, null);
        assertEquals(202, deleteEnv.status(), deleteEnv.raw());
        succeeded(deleteEnv.get("id"), apiToken);
        var deleteClone = call("delete clone", "DELETE", "/api/v1/apps/" + cloneId, token, null);
        assertEquals(202, deleteClone.status(), deleteClone.raw());
        succeeded(deleteClone.get("id"), token);

        // The sandbox falls asleep and its owner gets the email.
        await("the sandbox's asleep email").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            try (Stream<Path> outbox = Files.list(dataDir.resolve("outbox"))) {
                return outbox.anyMatch(p -> p.toString().endsWith(".eml"));
            } catch (IOException e) {
                return false;
            }
        });
        call("sandbox asleep", "GET", "/api/v1/apps/" + sandboxId, token, null);
    }

    /**
     * The variables every running environment server was started with (its own database password is
     * meant to be there, nothing of the control plane's or another environment's).
     */
    private static Map<String, String> serverEnvironments() throws IOException {
        Map<String, String> found = new LinkedHashMap<>();
        for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
            String commandLine = p.info().commandLine().orElse("");
            int at = commandLine.indexOf("-Dcloudplane.env=");
            if (at < 0) {
                continue;
            }
            String env = commandLine.substring(at + "-Dcloudplane.env=".length()).split("\\s")[0];
            try {
                found.put("server environment of " + env, Files.readString(Path.of("/proc", Long.toString(p.pid()), "environ"),
                        StandardCharsets.ISO_8859_1));
            } catch (IOException ended) {
                // the server stopped while the test looked
            }
        }
        return found;
    }

    /** Every file under {@code keys/} is a generated secret that no response, log, history or email may show. */
    private void collectKeys(Path dataDir) throws IOException {
        Path keys = dataDir.resolve("keys");
        assertTrue(Files.isDirectory(keys), "no keys folder in " + dataDir);
        try (Stream<Path> files = Files.walk(keys)) {
            for (Path key : files.filter(Files::isRegularFile).toList()) {
                secret("key " + keys.relativize(key), Files.readString(key).trim(), null);
            }
        }
    }

    /** Every workflow the all-in-one ran, its history read back through Temporal's API, as the bytes of its protobuf. */
    private Map<String, String> histories() {
        Map<String, String> found = new LinkedHashMap<>();
        WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(cloudplane.temporalTarget()).setEnableHttps(false)
                        .addApiKey(() -> io.cloudplane.infra.embedded.EmbeddedTemporalServer.apiKeyIn(cloudplane.dataDir())).build());
        try {
            List<WorkflowExecutionInfo> executions = new ArrayList<>();
            executions.addAll(service.blockingStub().listClosedWorkflowExecutions(ListClosedWorkflowExecutionsRequest.newBuilder()
                    .setNamespace("default").setMaximumPageSize(1000).build()).getExecutionsList());
            executions.addAll(service.blockingStub().listOpenWorkflowExecutions(ListOpenWorkflowExecutionsRequest.newBuilder()
                    .setNamespace("default").setMaximumPageSize(1000).build()).getExecutionsList());
            for (WorkflowExecutionInfo info : executions) {
                WorkflowExecution execution = info.getExecution();
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                GetWorkflowExecutionHistoryResponse page = service.blockingStub().getWorkflowExecutionHistory(
                        GetWorkflowExecutionHistoryRequest.newBuilder().setNamespace("default").setExecution(execution).build());
                bytes.writeBytes(page.getHistory().toByteArray());
                while (!page.getNextPageToken().isEmpty()) {
                    page = service.blockingStub().getWorkflowExecutionHistory(GetWorkflowExecutionHistoryRequest.newBuilder()
                            .setNamespace("default").setExecution(execution).setNextPageToken(page.getNextPageToken()).build());
                    bytes.writeBytes(page.getHistory().toByteArray());
                }
                found.put("history of " + execution.getWorkflowId() + " (" + info.getType().getName() + ")",
                        bytes.toString(StandardCharsets.ISO_8859_1));
            }
        } finally {
            service.shutdownNow();
        }
        return found;
    }

    private void succeeded(String operationId, String token) throws Exception {
        var op = cloudplane.awaitOperation(operationId, token, TIMEOUT);
        responses.add(new Seen("operation " + operationId, op.raw()));
        assertEquals("SUCCEEDED", op.get("status"), op.raw() + "\n" + cloudplane.output());
    }

    private String environment(String appId, String type, String token) throws Exception {
        var env = call("create " + type, "POST", "/api/v1/apps/" + appId + "/environments", token, Map.of("name", type, "type", type));
        assertEquals(202, env.status(), env.raw());
        succeeded(env.get("operation.id"), token);
        return env.get("id");
    }

    private static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String get(String url, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static byte[] site() throws IOException {
        return Sites.of(Map.of("index.html", "<h1>vault</h1>", "app.json", "{\"name\": \"vault\"}"));
    }
}
