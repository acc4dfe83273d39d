package io.cloudplane.api.operation;

import io.cloudplane.api.JsonCalls;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.temporal.TemporalSettings;
import io.cloudplane.infra.temporal.WorkflowTags;
import io.cloudplane.workflows.operation.OperationType;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micronaut.context.annotation.Property;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.slf4j.LoggerFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * With {@code CLOUDPLANE_TEMPORAL_UI_URL} set, an Operation shows its workflow's page in the Temporal UI,
 * both where it is embedded (the sign-up's sandbox provisioning) and at {@code GET /api/v1/operations/{id}};
 * and the workflow its launch started carries the memo and the search attributes that find it. The
 * request's log lines carry its ID (the caller's {@code X-Request-Id}) and the operation it started.
 */
@MicronautTest(transactional = false)
@Property(name = "cloudplane.temporal-ui.url", value = OperationWorkflowLinkTest.TEMPORAL_UI)
class OperationWorkflowLinkTest {
    static final String TEMPORAL_UI = "https://temporal-ui.example.com";
    @Inject EmbeddedServer server;
    @Inject JsonMapper json;
    @Inject WorkflowClient client;

    @Test
    @SuppressWarnings("unchecked")
    void anOperationLinksToItsWorkflowWhichCarriesItsMemoAndSearchAttributes() throws Exception {
        JsonCalls calls = new JsonCalls(server, json);
        String email = "link-" + UUID.randomUUID() + "@example.com";
        Logger launcherLog = (Logger) LoggerFactory.getLogger(OperationLauncher.class);
        ListAppender<ILoggingEvent> launches = new ListAppender<>();
        launches.start();
        launcherLog.addAppender(launches);
        HttpResponse<String> signUp;
        try {
            signUp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.getURI() + "/api/v1/accounts"))
                    .header("Content-Type", "application/json").header("X-Request-Id", "sign-up-42")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("email", email,
                            "password", "correct-horse-battery", "firstName", "Ada", "lastName", "Lovelace")))).build(),
                    HttpResponse.BodyHandlers.ofString());
        } finally {
            launcherLog.detachAppender(launches);
        }
        assertEquals(201, signUp.statusCode(), signUp.body());
        assertEquals("sign-up-42", signUp.headers().firstValue("X-Request-Id").orElse(null), "the request ID is answered");
        JsonCalls.Answer created = new JsonCalls.Answer(201, json.readValue(signUp.body(), Argument.mapOf(String.class, Object.class)));
        Map<String, Object> embedded = (Map<String, Object>) created.body().get("operation");
        ILoggingEvent started = launches.list.stream().filter(e -> e.getFormattedMessage().startsWith("Started workflow "))
                .findFirst().orElseThrow(() -> new AssertionError("the launch is logged: " + launches.list));
        assertEquals("sign-up-42", started.getMDCPropertyMap().get("requestId"), "the request's log lines carry its ID");
        assertEquals(embedded.get("id"), started.getMDCPropertyMap().get("operationId"), "and the operation it started");
        assertEquals(embedded.get("workflowId"), started.getMDCPropertyMap().get("workflowId"));
        String workflowId = (String) embedded.get("workflowId");
        String link = TEMPORAL_UI + "/namespaces/default/workflows/" + URLEncoder.encode(workflowId, StandardCharsets.UTF_8);
        assertEquals(link, embedded.get("temporalUiUrl"));

        String token = (String) calls.call("POST", "/api/v1/sessions", Map.of("email", email, "password", "correct-horse-battery"), null)
                .body().get("accessToken");
        JsonCalls.Answer operation = calls.call("GET", "/api/v1/operations/" + embedded.get("id"), null, token);
        assertEquals(200, operation.status(), operation.body().toString());
        assertEquals(link, operation.body().get("temporalUiUrl"));

        WorkflowExecutionDescription description = client.newUntypedWorkflowStub(workflowId).describe();
        String userId = (String) ((Map<String, Object>) created.body().get("account")).get("id");
        assertEquals(embedded.get("id"), description.getMemo(WorkflowTags.MEMO_OPERATION_ID, String.class));
        assertEquals("PROVISION_ENVIRONMENT", description.getMemo(WorkflowTags.MEMO_OPERATION, String.class));
        assertEquals(embedded.get("appId"), description.getMemo(WorkflowTags.MEMO_APP_ID, String.class));
        assertEquals(embedded.get("envId"), description.getMemo(WorkflowTags.MEMO_ENV_ID, String.class));
        assertEquals(userId, description.getMemo(WorkflowTags.MEMO_USER_ID, String.class));
        assertEquals("PROVISION_ENVIRONMENT", description.getTypedSearchAttributes().get(WorkflowTags.OPERATION));
        assertEquals(embedded.get("appId"), description.getTypedSearchAttributes().get(WorkflowTags.APP_ID));
        assertEquals(embedded.get("envId"), description.getTypedSearchAttributes().get(WorkflowTags.ENV_ID));
    }

    @Test
    void withoutTheSettingAnOperationHasNoLink() {
        OperationRecord op = OperationRecord.pending(UUID.randomUUID(), OperationType.STOP_SERVER, UUID.randomUUID(), UUID.randomUUID(),
                null, Instant.now());
        Accepted unset = new Accepted(null, json, new TemporalUiSettings(""), new TemporalSettings("", "default", ""));
        assertNull(unset.view(op).temporalUiUrl());
        Accepted set = new Accepted(null, json, new TemporalUiSettings(TEMPORAL_UI + "/"), new TemporalSettings("", "prod", ""));
        assertEquals(TEMPORAL_UI + "/namespaces/prod/workflows/" + URLEncoder.encode(op.workflowId(), StandardCharsets.UTF_8),
                set.view(op).temporalUiUrl());
    }
}
