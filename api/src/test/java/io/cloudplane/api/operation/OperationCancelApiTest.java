package io.cloudplane.api.operation;

import io.cloudplane.api.JsonCalls;
import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.workflows.operation.OperationType;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /operations/{id}/cancel} against the embedded PostgreSQL and Temporal. No worker runs, so a
 * provisioning stays where the test puts it: what is checked is the API's decision and the cancel request
 * that reaches the workflow (the workflow's own clean-up is ProvisionEnvironmentWorkflowTest's).
 */
@MicronautTest(transactional = false)
class OperationCancelApiTest {
    @Inject EmbeddedServer server;
    @Inject JsonMapper json;
    @Inject OperationRepository operations;
    @Inject AppMemberRepository members;
    @Inject WorkflowClient client;
    @Inject io.cloudplane.infra.operation.ActivityLogRepository activityLog;

    private JsonCalls calls() {
        return new JsonCalls(server, json);
    }

    private record User(UUID id, String token) {
    }

    @SuppressWarnings("unchecked")
    private User signUp() throws Exception {
        String email = "cancel-" + UUID.randomUUID() + "@example.com";
        var created = calls().call("POST", "/api/v1/accounts", Map.of("email", email, "password", "correct-horse-battery",
                "firstName", "Ada", "lastName", "Lovelace"), null);
        assertEquals(201, created.status(), created.body().toString());
        UUID id = UUID.fromString((String) ((Map<String, Object>) created.body().get("account")).get("id"));
        var session = calls().call("POST", "/api/v1/sessions", Map.of("email", email, "password", "correct-horse-battery"), null);
        return new User(id, (String) session.body().get("accessToken"));
    }

    /** The provisioning operation of a new app's development environment, its workflow started. */
    @SuppressWarnings("unchecked")
    private OperationRecord newApp(User owner) throws Exception {
        var created = calls().call("POST", "/api/v1/apps", Map.of("name", "c-" + UUID.randomUUID().toString().substring(0, 8)), owner.token());
        assertEquals(202, created.status(), created.body().toString());
        UUID opId = UUID.fromString((String) ((Map<String, Object>) created.body().get("operation")).get("id"));
        return operations.findById(opId).orElseThrow();
    }

    private JsonCalls.Answer cancel(UUID opId, User caller) throws Exception {
        return calls().call("POST", "/api/v1/operations/" + opId + "/cancel", null, caller.token());
    }

    private static void assertConflictSaying(JsonCalls.Answer answer, String words) {
        assertEquals(409, answer.status(), answer.body().toString());
        assertTrue(String.valueOf(answer.body().get("detail")).contains(words), answer.body().toString());
    }

    @Test
    void theOwnerCancelsAProvisioningBeforeItsServerAndTheWorkflowIsAskedToCancel() throws Exception {
        User owner = signUp();
        OperationRecord op = newApp(owner);

        var answer = cancel(op.id(), owner);

        assertEquals(202, answer.status(), answer.body().toString());
        assertEquals(op.id().toString(), answer.body().get("id"));
        assertEquals("PROVISION_ENVIRONMENT", answer.body().get("type"));
        boolean cancelRequested = client.fetchHistory(op.workflowId()).getEvents().stream()
                .anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED);
        assertTrue(cancelRequested, "the provisioning's workflow got no cancel request");
    }

    @Test
    void aProvisioningPastItsServerAnEndedOperationAndADeletionAreRefusedInWords() throws Exception {
        User owner = signUp();
        OperationRecord op = newApp(owner);
        String steps = "[{\"name\":\"create-database\",\"status\":\"SUCCEEDED\",\"startedAt\":1,\"endedAt\":2,\"error\":null},"
                + "{\"name\":\"start-server\",\"status\":\"RUNNING\",\"startedAt\":3,\"endedAt\":null,\"error\":null}]";
        operations.recordProgress(op.id(), OperationStatus.RUNNING, null, steps, null, Instant.now());
        assertConflictSaying(cancel(op.id(), owner), "has reached its server");

        operations.finish(op.id(), OperationStatus.SUCCEEDED, null, Instant.now());
        assertConflictSaying(cancel(op.id(), owner), "has already ended (SUCCEEDED)");

        OperationRecord deletion = operations.save(OperationRecord.pending(UUID.randomUUID(), OperationType.DELETE_ENVIRONMENT,
                op.appId(), op.envId(), owner.id(), Instant.now().truncatedTo(ChronoUnit.MICROS)));
        assertConflictSaying(cancel(deletion.id(), owner), "A deletion cannot be cancelled");
        boolean cancelRequested = client.fetchHistory(op.workflowId()).getEvents().stream()
                .anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED);
        assertTrue(!cancelRequested, "a refused cancel reached the workflow");
    }

    /** A sign-up's sandbox is provisioned like an app, but could be neither deleted nor made again: its provisioning is not cancelled. */
    @Test
    @SuppressWarnings("unchecked")
    void aSandboxsProvisioningIsRefusedInWords() throws Exception {
        User owner = signUp();
        Map<String, Object> list = calls().call("GET", "/api/v1/apps", null, owner.token()).body();
        UUID sandbox = UUID.fromString((String) ((Map<String, Object>) list.get("sandbox")).get("id"));
        OperationRecord op = operations.findActiveForApp(sandbox).orElseThrow();
        assertConflictSaying(cancel(op.id(), owner), "A sandbox's provisioning cannot be cancelled");
    }

    @Test
    void aDeveloperWhoDidNotStartItIsRefusedAndAStrangerOrAnUnknownIdIsNotFound() throws Exception {
        User owner = signUp();
        User developer = signUp();
        User stranger = signUp();
        OperationRecord op = newApp(owner);
        members.save(AppMemberRecord.of(op.appId(), developer.id(), AppMemberRecord.Role.DEVELOPER));

        assertEquals(403, cancel(op.id(), developer).status());
        assertEquals(404, cancel(op.id(), stranger).status());
        assertEquals(404, cancel(UUID.randomUUID(), owner).status());
        assertEquals("PENDING", calls().call("GET", "/api/v1/operations/" + op.id(), null, owner.token()).body().get("status"));
    }

    /** What the provisioning's workflow writes when it ends CANCELLED (V25 lets the activity log say so), read back through the API. */
    @Test
    @SuppressWarnings("unchecked")
    void aCancelledOperationShowsCancelledInTheEnvironmentsActivityLog() throws Exception {
        User owner = signUp();
        OperationRecord op = newApp(owner);
        activityLog.appendOnce(op.appId(), op.envId(), "created", owner.id(), "CANCELLED", "Provisioning was cancelled on request",
                op.id(), Instant.now());
        var activity = calls().call("GET", "/api/v1/apps/" + op.appId() + "/environments/" + op.envId() + "/activity", null, owner.token());
        assertEquals(200, activity.status(), activity.body().toString());
        var items = (java.util.List<Map<String, Object>>) activity.body().get("items");
        assertEquals("CANCELLED", items.get(0).get("outcome"), items.toString());
    }
}
