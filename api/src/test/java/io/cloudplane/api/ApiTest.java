package io.cloudplane.api;

import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.environment.EnvironmentUserRecord;
import io.cloudplane.infra.environment.EnvironmentUserRepository;
import io.cloudplane.infra.account.LocalCredentialRepository;
import io.cloudplane.infra.operation.OperationRepository;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.client.BlockingHttpClient;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.http.client.exceptions.HttpClientResponseException;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API over HTTP against the embedded PostgreSQL and Temporal. No worker runs here, so
 * operations stay PENDING: what is checked is what the API itself decides.
 */
@MicronautTest(transactional = false)
class ApiTest {
    @Inject
    @Client("/")
    HttpClient http;
    @Inject AppRepository apps;
    @Inject AppMemberRepository members;
    @Inject EnvironmentUserRepository environmentUsers;
    @Inject LocalCredentialRepository credentials;
    @Inject OperationRepository operations;
    @Inject io.cloudplane.infra.environment.EnvironmentRepository environmentRecords;
    @Inject io.cloudplane.infra.crypto.SecretBox secrets;
    @Inject io.temporal.client.WorkflowClient workflowClient;

    private BlockingHttpClient client() {
        return http.toBlocking();
    }

    @SuppressWarnings("unchecked")
    private HttpResponse<Map<String, Object>> call(MutableHttpRequest<?> request, String token) {
        if (token != null) {
            request.bearerAuth(token);
        }
        try {
            return client().exchange(request, Argument.mapOf(String.class, Object.class));
        } catch (HttpClientResponseException e) {
            HttpResponse<Map<String, Object>> response = (HttpResponse<Map<String, Object>>) e.getResponse();
            Map<String, Object> body = e.getResponse().getBody(Argument.mapOf(String.class, Object.class)).orElse(Map.of());
            return HttpResponse.<Map<String, Object>>status(response.getStatus()).headers(h -> response.getHeaders()
                    .forEach((name, values) -> values.forEach(v -> h.add(name, v)))).body(body);
        }
    }

    private static void assertProblem(HttpResponse<Map<String, Object>> response, HttpStatus status) {
        assertEquals(status, response.getStatus(), String.valueOf(response.getBody().orElse(null)));
        assertEquals("application/problem+json", response.getContentType().map(MediaType::toString).orElse(""));
        assertEquals(status.getCode(), ((Number) response.body().get("status")).intValue());
        assertNotNull(response.body().get("detail"));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> errors(HttpResponse<Map<String, Object>> response) {
        return (List<Map<String, Object>>) response.body().get("errors");
    }

    private record User(UUID id, String email, String token, UUID sandboxId) {
    }

    private User signUp() {
        String email = "user-" + UUID.randomUUID() + "@example.com";
        var created = call(HttpRequest.POST("/api/v1/accounts", Map.of("email", email, "password", "correct-horse-battery",
                "firstName", "Ada", "lastName", "Lovelace")), null);
        assertEquals(HttpStatus.CREATED, created.getStatus());
        @SuppressWarnings("unchecked")
        UUID id = UUID.fromString((String) ((Map<String, Object>) created.body().get("account")).get("id"));
        return new User(id, email, logIn(email, "correct-horse-battery").body().get("accessToken").toString(),
                UUID.fromString((String) created.body().get("sandboxAppId")));
    }

    private HttpResponse<Map<String, Object>> logIn(String email, String password) {
        return call(HttpRequest.POST("/api/v1/sessions", Map.of("email", email, "password", password)), null);
    }

    private HttpResponse<Map<String, Object>> createApp(User user, String name) {
        return call(HttpRequest.POST("/api/v1/apps", Map.of("name", name)), user.token());
    }

    /** The operation a create's 202 answer embeds beside the created resource. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> operation(Map<String, Object> created) {
        return (Map<String, Object>) created.get("operation");
    }

    /**
     * Right after a restart the embedded Temporal has forgotten the sandbox's lifecycle until the
     * recovery starts it again: opening the Studio still answers 201 and records the access (the
     * recovery starts the lifecycle from it); it answered 500 (found by the crash harness).
     */
    @Test
    void theStudioOpensWhileTheSandboxLifecycleIsNotRunning() {
        User ada = signUp();
        var envs = call(HttpRequest.GET("/api/v1/apps/" + ada.sandboxId() + "/environments"), ada.token());
        @SuppressWarnings("unchecked")
        UUID envId = UUID.fromString((String) ((List<Map<String, Object>>) envs.body().get("items")).get(0).get("id"));
        environmentRecords.updateStatus(envId, io.cloudplane.workflows.environment.EnvironmentStatus.RUNNING, null, java.time.Instant.now());
        workflowClient.newUntypedWorkflowStub(io.cloudplane.workflows.common.WorkflowIds.sandboxLifecycle(ada.sandboxId().toString()))
                .terminate("as a restart of the embedded Temporal loses it");
        var opened = call(HttpRequest.POST("/api/v1/apps/" + ada.sandboxId() + "/environments/" + envId + "/studio-sessions", ""),
                ada.token());
        assertEquals(HttpStatus.CREATED, opened.getStatus(), String.valueOf(opened.getBody().orElse(null)));
        assertTrue(environmentRecords.findLastStudioAccess(envId).isPresent(), "the access is recorded");
    }

    @Test
    void signingUpCreatesTheUserAndTheirSandboxWithAProvisioningOperation() {
        User ada = signUp();
        var list = call(HttpRequest.GET("/api/v1/apps"), ada.token());
        assertEquals(HttpStatus.OK, list.getStatus());
        @SuppressWarnings("unchecked")
        Map<String, Object> sandbox = (Map<String, Object>) list.body().get("sandbox");
        assertEquals(ada.sandboxId().toString(), sandbox.get("id"));
        assertEquals("sandbox", sandbox.get("kind"));
        assertEquals(List.of(), list.body().get("applications"));
        assertEquals(List.of(), list.body().get("shared"));

        var envs = call(HttpRequest.GET("/api/v1/apps/" + ada.sandboxId() + "/environments"), ada.token());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> items = (List<Map<String, Object>>) envs.body().get("items");
        assertEquals(1, items.size());
        assertEquals("development", items.get(0).get("type"));
        assertEquals("PROVISIONING", items.get(0).get("status"));
        var op = operations.findActiveForEnvironment(UUID.fromString((String) items.get(0).get("id"))).orElseThrow();
        assertEquals("env-provision/" + items.get(0).get("id"), op.workflowId());

        assertTrue(credentials.findById(ada.id()).orElseThrow().passwordHash().startsWith("$2"), "stored as a bcrypt hash");
        var again = call(HttpRequest.POST("/api/v1/accounts", Map.of("email", ada.email().toUpperCase(),
                "password", "another-password", "firstName", "A", "lastName", "B")), null);
        assertProblem(again, HttpStatus.CONFLICT);
    }

    @Test
    void aSandboxCannotGainEnvironmentsNorBeDeletedByRequestAndThereIsNoSecondOne() {
        User ada = signUp();
        assertProblem(call(HttpRequest.POST("/api/v1/apps/" + ada.sandboxId() + "/environments",
                Map.of("name", "staging", "type", "staging")), ada.token()), HttpStatus.UNPROCESSABLE_ENTITY);
        assertProblem(call(HttpRequest.DELETE("/api/v1/apps/" + ada.sandboxId()), ada.token()), HttpStatus.UNPROCESSABLE_ENTITY);
        // The only way to create apps makes applications; "sandbox" is taken by the sandbox itself.
        assertProblem(createApp(ada, "sandbox"), HttpStatus.CONFLICT);
    }

    @Test
    void sessionTokensAreSignedAndUnsignedOnesAreRefused() {
        User ada = signUp();
        String[] parts = ada.token().split("\\.");
        assertEquals(3, parts.length);
        assertTrue(new String(Base64.getUrlDecoder().decode(parts[0])).contains("HS256"));
        String unsigned = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes())
                + "." + parts[1] + ".";
        assertProblem(call(HttpRequest.GET("/api/v1/apps"), unsigned), HttpStatus.UNAUTHORIZED);
        String tampered = parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 2) + "AA";
        assertProblem(call(HttpRequest.GET("/api/v1/apps"), tampered), HttpStatus.UNAUTHORIZED);
        assertProblem(call(HttpRequest.GET("/api/v1/apps"), null), HttpStatus.UNAUTHORIZED);

        // Each login is a session of its own, even two within one second (same claims otherwise).
        String first = logIn(ada.email(), "correct-horse-battery").body().get("accessToken").toString();
        String second = logIn(ada.email(), "correct-horse-battery").body().get("accessToken").toString();
        assertNotEquals(first, second);
        assertTrue(new String(Base64.getUrlDecoder().decode(second.split("\\.")[1])).contains("\"jti\""), second);
    }

    @Test
    void repeatedFailedLoginsLockTheAccountForAWhile() {
        User ada = signUp();
        assertProblem(logIn(ada.email(), "wrong-password-1"), HttpStatus.UNAUTHORIZED);
        assertProblem(logIn(ada.email(), "wrong-password-2"), HttpStatus.UNAUTHORIZED);
        var locked = logIn(ada.email(), "wrong-password-3");
        assertProblem(locked, HttpStatus.TOO_MANY_REQUESTS);
        assertTrue(Long.parseLong(locked.getHeaders().get("Retry-After")) > 0);
        assertProblem(logIn(ada.email(), "correct-horse-battery"), HttpStatus.TOO_MANY_REQUESTS);
        assertProblem(logIn("nobody-" + UUID.randomUUID() + "@example.com", "whatever-password"), HttpStatus.UNAUTHORIZED);
    }

    @Test
    void apiTokensWorkLikeSessionsAreShownOnceExpireWithinAYearAndCanBeRevoked() {
        User ada = signUp();
        var created = call(HttpRequest.POST("/api/v1/tokens", Map.of("name", "ci", "expiresInDays", 90)), ada.token());
        assertEquals(HttpStatus.CREATED, created.getStatus());
        String token = (String) created.body().get("token");
        assertTrue(token.startsWith("cpt_"));
        var listed = call(HttpRequest.GET("/api/v1/tokens"), ada.token());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> items = (List<Map<String, Object>>) listed.body().get("items");
        assertEquals(1, items.size());
        assertNull(items.get(0).get("token"), "a token is shown once");
        assertEquals(HttpStatus.OK, call(HttpRequest.GET("/api/v1/apps"), token).getStatus());

        var tooLong = call(HttpRequest.POST("/api/v1/tokens", Map.of("name", "forever", "expiresInDays", 366)), ada.token());
        assertProblem(tooLong, HttpStatus.BAD_REQUEST);
        assertEquals("expiresInDays", errors(tooLong).get(0).get("field"));

        User grace = signUp();
        assertProblem(call(HttpRequest.DELETE("/api/v1/tokens/" + created.body().get("id")), grace.token()), HttpStatus.NOT_FOUND);
        assertEquals(HttpStatus.NO_CONTENT, call(HttpRequest.DELETE("/api/v1/tokens/" + created.body().get("id")), ada.token()).getStatus());
        assertProblem(call(HttpRequest.GET("/api/v1/apps"), token), HttpStatus.UNAUTHORIZED);
    }

    @Test
    void appNamesAreValidatedAndUniquePerOwner() {
        User ada = signUp();
        User grace = signUp();
        var accepted = createApp(ada, "shop");
        assertEquals(HttpStatus.ACCEPTED, accepted.getStatus());
        String appId = (String) accepted.body().get("id");
        assertEquals("/api/v1/apps/" + appId, accepted.getHeaders().get("Location"));
        assertEquals("shop", accepted.body().get("name"));
        assertEquals("ACTIVE", accepted.body().get("status"));
        assertEquals("owner", accepted.body().get("role"));
        assertEquals("PROVISION_ENVIRONMENT", operation(accepted.body()).get("type"));
        assertEquals("PENDING", operation(accepted.body()).get("status"));
        assertEquals(appId, operation(accepted.body()).get("appId"));
        var read = call(HttpRequest.GET(accepted.getHeaders().get("Location")), ada.token());
        assertEquals(HttpStatus.OK, read.getStatus(), "Location points at the app");
        assertEquals(appId, read.body().get("id"));
        assertFalse(read.body().containsKey("operation"), "a read shows no operation: " + read.body());
        assertEquals(HttpStatus.OK, call(HttpRequest.GET("/api/v1/operations/" + operation(accepted.body()).get("id")), ada.token())
                .getStatus());
        assertProblem(createApp(ada, "shop"), HttpStatus.CONFLICT);
        assertEquals(HttpStatus.ACCEPTED, createApp(grace, "shop").getStatus(), "names are unique per owner only");
        for (String bad : List.of("Shop", "a", "-shop", "shop-", "sh op", "x".repeat(41))) {
            var refused = createApp(ada, bad);
            assertProblem(refused, HttpStatus.BAD_REQUEST);
            assertEquals("name", errors(refused).get(0).get("field"), bad);
        }
    }

    @Test
    void environmentsShowTheirServicesAndASecondOperationOnOneEnvironmentIsRefused() {
        User ada = signUp();
        UUID appId = UUID.fromString((String) createApp(ada, "pipeline").body().get("id"));
        var staging = call(HttpRequest.POST("/api/v1/apps/" + appId + "/environments",
                Map.of("name", "staging", "type", "staging", "description", "QA")), ada.token());
        assertEquals(HttpStatus.ACCEPTED, staging.getStatus());
        String envId = (String) staging.body().get("id");
        assertEquals("/api/v1/apps/" + appId + "/environments/" + envId, staging.getHeaders().get("Location"));
        assertEquals("staging", staging.body().get("name"));
        assertEquals("PROVISIONING", staging.body().get("status"));
        assertEquals("PROVISION_ENVIRONMENT", operation(staging.body()).get("type"));
        assertEquals(envId, operation(staging.body()).get("envId"));
        var env = call(HttpRequest.GET("/api/v1/apps/" + appId + "/environments/" + envId), ada.token()).body();
        assertEquals("staging", env.get("type"));
        assertEquals(Map.of("studioAccess", true, "inviteDevelopers", false, "inviteUsers", true, "backups", true,
                "serverUpdates", true), env.get("services"), "staging has a Studio (seed 001)");
        assertEquals("PROVISIONING", env.get("status"));

        var busy = call(HttpRequest.DELETE("/api/v1/apps/" + appId + "/environments/" + envId), ada.token());
        assertProblem(busy, HttpStatus.CONFLICT);
        assertEquals(operation(staging.body()).get("id"), busy.body().get("operationId"));

        assertProblem(call(HttpRequest.POST("/api/v1/apps/" + appId + "/environments",
                Map.of("name", "staging", "type", "production")), ada.token()), HttpStatus.CONFLICT);
        var badType = call(HttpRequest.POST("/api/v1/apps/" + appId + "/environments",
                Map.of("name", "qa", "type", "qa")), ada.token());
        assertProblem(badType, HttpStatus.BAD_REQUEST);
        assertEquals("type", errors(badType).get(0).get("field"));
    }

    @Test
    void backupsAreForEnvironmentsWithTheBackupServiceAndAnswer202WithTheBackup() {
        User ada = signUp();
        var created = createApp(ada, "backed").body();
        String appId = (String) created.get("id");
        String devBackups = "/api/v1/apps/" + appId + "/environments/" + operation(created).get("envId") + "/backups";
        assertProblem(call(HttpRequest.POST(devBackups, Map.of()), ada.token()), HttpStatus.UNPROCESSABLE_ENTITY);
        assertProblem(call(HttpRequest.GET(devBackups), ada.token()), HttpStatus.UNPROCESSABLE_ENTITY);

        var staging = call(HttpRequest.POST("/api/v1/apps/" + appId + "/environments",
                Map.of("name", "staging", "type", "staging")), ada.token()).body();
        String envId = (String) staging.get("id");
        String backupsPath = "/api/v1/apps/" + appId + "/environments/" + envId + "/backups";
        assertProblem(call(HttpRequest.POST(backupsPath, Map.of()), ada.token()), HttpStatus.CONFLICT); // still provisioning
        assertEquals(List.of(), call(HttpRequest.GET(backupsPath), ada.token()).body().get("items"));

        environmentRecords.updateStatus(UUID.fromString(envId), io.cloudplane.workflows.environment.EnvironmentStatus.RUNNING, null,
                java.time.Instant.now());
        var accepted = call(HttpRequest.POST(backupsPath, Map.of()), ada.token());
        assertEquals(HttpStatus.ACCEPTED, accepted.getStatus());
        String backupId = (String) accepted.body().get("id");
        assertEquals(backupsPath + "/" + backupId, accepted.getHeaders().get("Location"));
        assertEquals("PENDING", accepted.body().get("status"));
        assertEquals("MANUAL", accepted.body().get("trigger"));
        assertEquals("backups/" + appId + "/" + envId + "/" + backupId + "/", accepted.body().get("objectPrefix"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> items = (List<Map<String, Object>>) call(HttpRequest.GET(backupsPath), ada.token()).body().get("items");
        assertEquals(List.of(backupId), items.stream().map(i -> i.get("id")).toList());
        assertEquals(backupId, call(HttpRequest.GET(backupsPath + "/" + backupId), ada.token()).body().get("id"));
        var badPart = call(HttpRequest.GET(backupsPath + "/" + backupId + "/download?part=everything"), ada.token());
        assertProblem(badPart, HttpStatus.BAD_REQUEST);
        assertEquals("part", errors(badPart).get(0).get("field"));
        assertProblem(call(HttpRequest.GET(backupsPath + "/" + backupId + "/download"), ada.token()), HttpStatus.CONFLICT);
        assertProblem(call(HttpRequest.GET(backupsPath + "/" + UUID.randomUUID()), ada.token()), HttpStatus.NOT_FOUND);
        User stranger = signUp();
        assertProblem(call(HttpRequest.GET(backupsPath), stranger.token()), HttpStatus.NOT_FOUND);

        String restores = "/api/v1/apps/" + appId + "/environments/" + envId + "/restores";
        for (var body : List.of(Map.<String, Object>of(), Map.<String, Object>of("backupId", "nope"),
                Map.<String, Object>of("backupId", UUID.randomUUID().toString()), Map.<String, Object>of("backupId", backupId))) {
            var refused = call(HttpRequest.POST(restores, body), ada.token());
            assertProblem(refused, HttpStatus.BAD_REQUEST); // missing, malformed, unknown, not completed
            assertEquals("backupId", errors(refused).get(0).get("field"));
        }
        assertProblem(call(HttpRequest.POST(restores, Map.of("backupId", backupId)), stranger.token()), HttpStatus.NOT_FOUND);
        assertEquals(List.of(), operations.findUnfinished().stream().filter(o -> o.envId() != null
                && o.envId().toString().equals(envId) && o.type().name().equals("RESTORE_ENVIRONMENT")).toList(),
                "refused restores change nothing");
    }

    @Test
    void databaseCredentialsAreTheOnlyPlaceThePasswordAppearsAndEachReadIsLogged() {
        User ada = signUp();
        var created = createApp(ada, "creds").body();
        String appId = (String) created.get("id");
        UUID envId = UUID.fromString((String) operation(created).get("envId"));
        String path = "/api/v1/apps/" + appId + "/environments/" + envId;
        assertProblem(call(HttpRequest.GET(path + "/database-credentials"), ada.token()), HttpStatus.CONFLICT); // no database yet
        String password = "Pw" + UUID.randomUUID().toString().replace("-", "");
        environmentRecords.setDbPasswordIfAbsent(envId, secrets.encrypt(password));

        var credentials = call(HttpRequest.GET(path + "/database-credentials"), ada.token());
        assertEquals(HttpStatus.OK, credentials.getStatus());
        String dbName = "env_" + envId.toString().replace("-", "");
        assertEquals(dbName, credentials.body().get("database"));
        assertEquals(dbName, credentials.body().get("user"));
        assertEquals(password, credentials.body().get("password"));
        assertTrue(((String) credentials.body().get("url")).startsWith("postgres://" + dbName + ":" + password + "@"));
        assertTrue(((Number) credentials.body().get("port")).intValue() > 0);

        for (String other : List.of(path, "/api/v1/apps/" + appId, "/api/v1/apps", path + "/activity")) {
            var response = call(HttpRequest.GET(other), ada.token());
            assertEquals(HttpStatus.OK, response.getStatus(), other);
            assertFalse(String.valueOf(response.body()).contains(password), "the password appears in " + other);
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> log = (List<Map<String, Object>>) call(HttpRequest.GET(path + "/activity"), ada.token())
                .body().get("items");
        assertEquals("database-credentials-read", log.get(0).get("action"));
        assertEquals(ada.email(), log.get(0).get("who"));
        User stranger = signUp();
        assertProblem(call(HttpRequest.GET(path + "/database-credentials"), stranger.token()), HttpStatus.NOT_FOUND);
    }

    @Test
    void whatTheCallerMayNotSeeIs404AndWhatTheyMayNotChangeIs403() {
        User ada = signUp();
        User grace = signUp();
        var op = operation(createApp(ada, "secret-app").body());
        UUID appId = UUID.fromString((String) op.get("appId"));
        UUID devEnv = UUID.fromString((String) op.get("envId"));
        assertProblem(call(HttpRequest.GET("/api/v1/apps/" + appId), grace.token()), HttpStatus.NOT_FOUND);
        assertProblem(call(HttpRequest.GET("/api/v1/apps/" + appId + "/environments"), grace.token()), HttpStatus.NOT_FOUND);
        assertProblem(call(HttpRequest.DELETE("/api/v1/apps/" + appId), grace.token()), HttpStatus.NOT_FOUND);
        assertProblem(call(HttpRequest.GET("/api/v1/operations/" + op.get("id")), grace.token()), HttpStatus.NOT_FOUND);

        members.save(AppMemberRecord.of(appId, grace.id(), AppMemberRecord.Role.DEVELOPER));
        var seen = call(HttpRequest.GET("/api/v1/apps/" + appId), grace.token());
        assertEquals(HttpStatus.OK, seen.getStatus());
        assertEquals("shared", seen.body().get("category"));
        assertEquals("developer", seen.body().get("role"));
        assertEquals(HttpStatus.OK, call(HttpRequest.GET("/api/v1/operations/" + op.get("id")), grace.token()).getStatus());
        assertProblem(call(HttpRequest.DELETE("/api/v1/apps/" + appId), grace.token()), HttpStatus.FORBIDDEN);
        assertProblem(call(HttpRequest.POST("/api/v1/apps/" + appId + "/environments", Map.of("name", "prod", "type", "production")),
                grace.token()), HttpStatus.FORBIDDEN);

        User end = signUp();
        var prod = call(HttpRequest.POST("/api/v1/apps/" + appId + "/environments", Map.of("name", "prod", "type", "production")),
                ada.token()).body();
        UUID prodEnv = UUID.fromString((String) prod.get("id"));
        environmentUsers.save(EnvironmentUserRecord.of(prodEnv, end.id()));
        // An end user uses the application, not its control plane (issue 13): refused, and the app is not in their list.
        assertProblem(call(HttpRequest.GET("/api/v1/apps/" + appId), end.token()), HttpStatus.FORBIDDEN);
        assertProblem(call(HttpRequest.GET("/api/v1/apps/" + appId + "/environments"), end.token()), HttpStatus.FORBIDDEN);
        assertProblem(call(HttpRequest.GET("/api/v1/apps/" + appId + "/environments/" + prodEnv), end.token()), HttpStatus.FORBIDDEN);
        assertProblem(call(HttpRequest.GET("/api/v1/apps/" + appId + "/environments/" + devEnv), end.token()), HttpStatus.FORBIDDEN);
        assertEquals(List.of(), call(HttpRequest.GET("/api/v1/apps"), end.token()).body().get("shared"));
        assertProblem(call(HttpRequest.GET("/api/v1/operations/" + op.get("id")), end.token()), HttpStatus.NOT_FOUND);
        assertProblem(call(HttpRequest.POST("/api/v1/apps/" + appId + "/environments/" + prodEnv + "/restart", Map.of()), end.token()),
                HttpStatus.FORBIDDEN);
        assertProblem(call(HttpRequest.POST("/api/v1/apps/" + appId + "/environments/" + devEnv + "/stop", Map.of()), end.token()),
                HttpStatus.NOT_FOUND);
        User stranger = signUp();
        assertProblem(call(HttpRequest.POST("/api/v1/apps/" + appId + "/environments/" + devEnv + "/stop", Map.of()), stranger.token()),
                HttpStatus.NOT_FOUND);
        assertProblem(call(HttpRequest.GET("/api/v1/apps/" + appId + "/environments/" + devEnv + "/activity"), stranger.token()),
                HttpStatus.NOT_FOUND);
    }

    @Test
    void serverActionsWaitForProvisioningAndTheActivityLogValidatesItsPaging() {
        User ada = signUp();
        var op = operation(createApp(ada, "busy-app").body());
        String env = "/api/v1/apps/" + op.get("appId") + "/environments/" + op.get("envId");
        assertProblem(call(HttpRequest.POST(env + "/restart", Map.of()), ada.token()), HttpStatus.CONFLICT);
        var page = call(HttpRequest.GET(env + "/activity"), ada.token());
        assertEquals(HttpStatus.OK, page.getStatus());
        assertEquals(List.of(), page.body().get("items"));
        var badCursor = call(HttpRequest.GET(env + "/activity?cursor=abc"), ada.token());
        assertProblem(badCursor, HttpStatus.BAD_REQUEST);
        assertEquals("cursor", errors(badCursor).get(0).get("field"));
        var badLimit = call(HttpRequest.GET(env + "/activity?limit=0"), ada.token());
        assertProblem(badLimit, HttpStatus.BAD_REQUEST);
        assertEquals("limit", errors(badLimit).get(0).get("field"));
    }

    @Test
    void badInputIsAProblemThatNamesTheFieldAndChangesNothing() {
        User ada = signUp();
        int before = apps.findVisibleTo(ada.id()).size();
        var malformed = call(HttpRequest.POST("/api/v1/apps", "{\"name\":").contentType(MediaType.APPLICATION_JSON), ada.token());
        assertProblem(malformed, HttpStatus.BAD_REQUEST);
        var unknown = call(HttpRequest.POST("/api/v1/apps", Map.of("name", "fine-name", "colour", "red")), ada.token());
        assertProblem(unknown, HttpStatus.BAD_REQUEST);
        assertEquals("colour", errors(unknown).get(0).get("field"));
        var missing = call(HttpRequest.POST("/api/v1/apps", Map.of()), ada.token());
        assertProblem(missing, HttpStatus.BAD_REQUEST);
        assertEquals("name", errors(missing).get(0).get("field"));
        var wrongShape = call(HttpRequest.POST("/api/v1/apps", "[1,2]").contentType(MediaType.APPLICATION_JSON), ada.token());
        assertProblem(wrongShape, HttpStatus.BAD_REQUEST);
        var wrongType = call(HttpRequest.POST("/api/v1/tokens", "{\"name\":\"ci\",\"expiresInDays\":\"soon\"}")
                .contentType(MediaType.APPLICATION_JSON), ada.token());
        assertProblem(wrongType, HttpStatus.BAD_REQUEST);
        var oversized = call(HttpRequest.POST("/api/v1/apps", "{\"name\":\"" + "a".repeat(2 * 1024 * 1024) + "\"}")
                .contentType(MediaType.APPLICATION_JSON), ada.token());
        assertProblem(oversized, HttpStatus.REQUEST_ENTITY_TOO_LARGE);
        var badId = call(HttpRequest.GET("/api/v1/apps/not-a-uuid"), ada.token());
        assertProblem(badId, HttpStatus.BAD_REQUEST);
        assertEquals("appId", errors(badId).get(0).get("field"));
        assertProblem(call(HttpRequest.GET("/api/v1/operations/" + UUID.randomUUID()), ada.token()), HttpStatus.NOT_FOUND);
        assertProblem(call(HttpRequest.GET("/api/v1/no-such-thing"), ada.token()), HttpStatus.NOT_FOUND);
        assertProblem(call(HttpRequest.POST("/api/v1/apps", "name=x").contentType(MediaType.TEXT_PLAIN), ada.token()),
                HttpStatus.UNSUPPORTED_MEDIA_TYPE);
        var badEmail = call(HttpRequest.POST("/api/v1/accounts", Map.of("email", "not-an-email", "password", "short",
                "firstName", "", "lastName", "L")), null);
        assertProblem(badEmail, HttpStatus.BAD_REQUEST);
        assertEquals(List.of("email", "firstName", "password"), errors(badEmail).stream().map(e -> e.get("field")).sorted().toList());
        assertEquals(before, apps.findVisibleTo(ada.id()).size());
    }

    private HttpResponse<Map<String, Object>> postJson(String path, String json, String token) {
        return call(HttpRequest.POST(path, json).contentType(MediaType.APPLICATION_JSON), token);
    }

    private static void assertTypeProblem(HttpResponse<Map<String, Object>> response, String field, String expected) {
        assertProblem(response, HttpStatus.BAD_REQUEST);
        assertEquals(field, errors(response).get(0).get("field"), String.valueOf(response.body()));
        assertTrue(((String) errors(response).get(0).get("message")).contains(expected), String.valueOf(response.body()));
    }

    @Test
    void jsonFieldsAreStrictlyTypedAndAMismatchNamesTheFieldAndChangesNothing() {
        User ada = signUp();
        var created = createApp(ada, "typed").body();
        String appId = (String) created.get("id");
        String envs = "/api/v1/apps/" + appId + "/environments";
        int appsBefore = apps.findVisibleTo(ada.id()).size();

        // A number, a boolean, an object or an array where a string belongs.
        assertTypeProblem(postJson(envs, "{\"name\":\"qa\",\"type\":\"custom\",\"description\":5}", ada.token()),
                "description", "must be a string, not a number");
        assertTypeProblem(postJson(envs, "{\"name\":\"qa\",\"type\":true}", ada.token()), "type", "not a boolean");
        assertTypeProblem(postJson("/api/v1/apps", "{\"name\":{\"first\":\"shop\"}}", ada.token()), "name", "not an object");
        assertTypeProblem(postJson("/api/v1/apps", "{\"name\":[\"shop\"]}", ada.token()), "name", "not an array");
        assertTypeProblem(postJson("/api/v1/sessions", "{\"email\":42,\"password\":\"correct-horse-battery\"}", null),
                "email", "must be a string");
        // A string, a fraction or an object where a whole number belongs.
        assertTypeProblem(postJson("/api/v1/tokens", "{\"name\":\"ci\",\"expiresInDays\":\"90\"}", ada.token()),
                "expiresInDays", "must be a whole number, not a string");
        assertTypeProblem(postJson("/api/v1/tokens", "{\"name\":\"ci\",\"expiresInDays\":1.5}", ada.token()),
                "expiresInDays", "must be a whole number");
        assertTypeProblem(postJson("/api/v1/tokens", "{\"name\":\"ci\",\"expiresInDays\":{}}", ada.token()),
                "expiresInDays", "not an object");
        assertTypeProblem(postJson("/api/v1/tokens", "{\"name\":7,\"expiresInDays\":30}", ada.token()),
                "name", "must be a string");
        // A string where a boolean belongs.
        String dev = envs + "/" + operation(created).get("envId");
        assertTypeProblem(postJson(dev + "/update", "{\"version\":\"1.0.0\",\"allowDowngrade\":\"true\"}", ada.token()),
                "allowDowngrade", "must be true or false, not a string");

        assertEquals(appsBefore, apps.findVisibleTo(ada.id()).size());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> environments = (List<Map<String, Object>>) call(HttpRequest.GET(envs), ada.token()).body().get("items");
        assertEquals(List.of("development"), environments.stream().map(e -> e.get("name")).toList(), "refused bodies change nothing");
        assertEquals(List.of(), call(HttpRequest.GET("/api/v1/tokens"), ada.token()).body().get("items"));
        // Well-typed bodies still pass, null included where a field is optional.
        assertEquals(HttpStatus.CREATED, postJson("/api/v1/tokens", "{\"name\":\"ci\",\"expiresInDays\":null}", ada.token())
                .getStatus());
        assertEquals(HttpStatus.ACCEPTED, postJson(envs, "{\"name\":\"qa\",\"type\":\"custom\",\"description\":null}",
                ada.token()).getStatus());
    }

    @Test
    void healthReportsTheDatabaseAndTemporalAndTheOpenApiDocumentIsServed() {
        var health = call(HttpRequest.GET("/health"), null);
        assertEquals(HttpStatus.OK, health.getStatus());
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> details = (Map<String, Map<String, Object>>) health.body().get("details");
        assertEquals("UP", details.get("jdbc").get("status"));
        assertEquals("UP", details.get("temporal").get("status"));
        String openapi = client().retrieve(HttpRequest.GET("/openapi/cloudplane-1.yml"));
        assertTrue(openapi.contains("/api/v1/apps/{appId}/environments"), openapi.substring(0, Math.min(200, openapi.length())));
        assertFalse(openapi.isBlank());
    }
}
