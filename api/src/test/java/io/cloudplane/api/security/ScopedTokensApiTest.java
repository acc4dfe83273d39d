package io.cloudplane.api.security;

import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.api.JsonCalls;
import io.cloudplane.api.JsonCalls.Answer;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** API tokens with scopes, over HTTP: how they are made and shown, and what they may do on their own app. */
@MicronautTest(transactional = false)
class ScopedTokensApiTest {
    @Inject EmbeddedServer server;
    @Inject JsonMapper json;
    @Inject EnvironmentRepository environments;
    @Inject OperationRepository operations;

    private Answer call(String method, String path, Object body, String bearer) throws Exception {
        return new JsonCalls(server, json).call(method, path, body, bearer);
    }

    private String signUp() throws Exception {
        String email = "scoped-" + UUID.randomUUID() + "@example.com";
        assertEquals(201, call("POST", "/api/v1/accounts", Map.of("email", email, "password", "correct-horse-battery",
                "firstName", "Ada", "lastName", "Scoped"), null).status());
        return (String) call("POST", "/api/v1/sessions", Map.of("email", email, "password", "correct-horse-battery"), null)
                .body().get("accessToken");
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> app(String session, String name) throws Exception {
        Answer created = call("POST", "/api/v1/apps", Map.of("name", name), session);
        assertEquals(202, created.status(), String.valueOf(created.body()));
        Map<String, Object> op = (Map<String, Object>) created.body().get("operation");
        UUID envId = UUID.fromString((String) op.get("envId"));
        operations.findActiveForEnvironment(envId).ifPresent(o -> operations.finish(o.id(), OperationStatus.SUCCEEDED, null, Instant.now()));
        environments.updateStatus(envId, EnvironmentStatus.RUNNING, null, Instant.now());
        return Map.of("appId", (String) created.body().get("id"), "envId", envId.toString(), "operationId", (String) op.get("id"));
    }

    @SuppressWarnings("unchecked")
    private static String field(Answer answer) {
        List<Map<String, Object>> errors = (List<Map<String, Object>>) answer.body().get("errors");
        return errors == null || errors.isEmpty() ? null : (String) errors.get(0).get("field");
    }

    @Test
    void aTokenIsReadWriteAndUnlimitedByDefaultAndItsViewShowsItsScope() throws Exception {
        String session = signUp();
        Answer plain = call("POST", "/api/v1/tokens", Map.of("name", "ci"), session);
        assertEquals(201, plain.status());
        assertEquals("READ_WRITE", plain.body().get("scope"));
        assertNull(plain.body().get("appId"));
        Map<String, String> app = app(session, "scoped-" + UUID.randomUUID().toString().substring(0, 8));
        Answer limited = call("POST", "/api/v1/tokens", Map.of("name", "deploy", "scope", "READ", "appId", app.get("appId")), session);
        assertEquals(201, limited.status(), String.valueOf(limited.body()));
        assertEquals("READ", limited.body().get("scope"));
        assertEquals(app.get("appId"), limited.body().get("appId"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> listed = (List<Map<String, Object>>) call("GET", "/api/v1/tokens", null, session).body().get("items");
        assertEquals(List.of("READ_WRITE", "READ"), listed.stream().map(t -> t.get("scope")).toList());
        assertEquals(app.get("appId"), listed.get(1).get("appId"));
        assertFalse(listed.get(1).containsKey("token"), "a token is shown once");
    }

    @Test
    void aTokenMayOnlyBeLimitedToAnAppOfTheCallerAndOnlyToAKnownScope() throws Exception {
        String ada = signUp();
        String grace = signUp();
        Map<String, String> gracesApp = app(grace, "grace-" + UUID.randomUUID().toString().substring(0, 8));
        Answer foreign = call("POST", "/api/v1/tokens", Map.of("name", "x", "appId", gracesApp.get("appId")), ada);
        Answer unknown = call("POST", "/api/v1/tokens", Map.of("name", "x", "appId", UUID.randomUUID().toString()), ada);
        assertEquals(422, foreign.status());
        assertEquals("appId", field(foreign));
        assertEquals(foreign.body().get("detail"), unknown.body().get("detail"), "an app of another tenant answers as one that does not exist");
        Answer badScope = call("POST", "/api/v1/tokens", Map.of("name", "x", "scope", "ADMIN"), ada);
        assertEquals(400, badScope.status(), String.valueOf(badScope.body()));
        assertEquals("scope", field(badScope), String.valueOf(badScope.body()));
        @SuppressWarnings("unchecked")
        List<Object> items = (List<Object>) call("GET", "/api/v1/tokens", null, ada).body().get("items");
        assertEquals(List.of(), items, "refused creations made no token");
    }

    @Test
    void anAppLimitedTokenWorksOnItsAppAndNowhereElseAndARefusalChangesNothing() throws Exception {
        String session = signUp();
        Map<String, String> mine = app(session, "mine-" + UUID.randomUUID().toString().substring(0, 8));
        Map<String, String> other = app(session, "other-" + UUID.randomUUID().toString().substring(0, 8));
        String token = (String) call("POST", "/api/v1/tokens", Map.of("name", "ci", "appId", mine.get("appId")), session)
                .body().get("token");
        String env = "/api/v1/apps/" + mine.get("appId") + "/environments/" + mine.get("envId");

        assertEquals(200, call("GET", "/api/v1/apps/" + mine.get("appId"), null, token).status());
        assertEquals(200, call("GET", "/api/v1/operations/" + mine.get("operationId"), null, token).status());
        Answer stop = call("POST", env + "/stop", Map.of(), token);
        assertEquals(202, stop.status(), String.valueOf(stop.body()));

        assertEquals(404, call("GET", "/api/v1/apps/" + other.get("appId"), null, token).status());
        assertEquals(404, call("GET", "/api/v1/operations/" + other.get("operationId"), null, token).status());
        long appsBefore = ((List<?>) call("GET", "/api/v1/apps", null, session).body().get("applications")).size();
        Answer create = call("POST", "/api/v1/apps", Map.of("name", "sneaky"), token);
        assertEquals(403, create.status());
        assertEquals(403, call("POST", "/api/v1/apps/" + mine.get("appId") + "/clone", Map.of("name", "sneaky-clone"), token).status());
        assertEquals(403, call("POST", "/api/v1/tokens", Map.of("name", "wider"), token).status());
        assertEquals(403, call("GET", "/api/v1/apps", null, token).status());
        assertEquals(appsBefore, ((List<?>) call("GET", "/api/v1/apps", null, session).body().get("applications")).size(),
                "no app was created");
        assertEquals(1, ((List<?>) call("GET", "/api/v1/tokens", null, session).body().get("items")).size(), "no token was created");
    }

    @Test
    void aReadOnlyTokenReadsButEveryChangeIsForbiddenAndChangesNothing() throws Exception {
        String session = signUp();
        Map<String, String> app = app(session, "ro-" + UUID.randomUUID().toString().substring(0, 8));
        String token = (String) call("POST", "/api/v1/tokens", Map.of("name", "ro", "scope", "READ"), session).body().get("token");
        String env = "/api/v1/apps/" + app.get("appId") + "/environments/" + app.get("envId");
        assertEquals(200, call("GET", env, null, token).status());
        Answer stop = call("POST", env + "/stop", Map.of(), token);
        assertEquals(403, stop.status());
        assertEquals("This API token is read-only: it may only read (GET)", stop.body().get("detail"));
        assertEquals(403, call("DELETE", "/api/v1/apps/" + app.get("appId"), null, token).status());
        assertEquals(EnvironmentStatus.RUNNING, environments.findById(UUID.fromString(app.get("envId"))).orElseThrow().status());
        assertTrue(operations.findActiveForEnvironment(UUID.fromString(app.get("envId"))).isEmpty(), "no operation was started");
        assertEquals(202, call("POST", env + "/stop", Map.of(), session).status(), "the session of the same user is not limited");
    }
}
