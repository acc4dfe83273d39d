package io.cloudplane.api.backup;

import io.cloudplane.api.JsonCalls;
import io.cloudplane.infra.backup.BackupRecord;
import io.cloudplane.infra.backup.BackupRepository;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.workflows.environment.EnvironmentStatus;
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
 * {@code POST …/backups/{backupId}/cancel} against the embedded PostgreSQL and Temporal. No worker runs: what is checked
 * is the API's decision and the cancel request reaching the backup's workflow (its clean-up is BackupWorkflowTest's).
 */
@MicronautTest(transactional = false)
class BackupCancelApiTest {
    @Inject EmbeddedServer server;
    @Inject JsonMapper json;
    @Inject EnvironmentRepository environments;
    @Inject BackupRepository backups;
    @Inject WorkflowClient client;

    private JsonCalls calls() {
        return new JsonCalls(server, json);
    }

    private boolean cancelRequested(String workflowId) {
        return client.fetchHistory(workflowId).getEvents().stream()
                .anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRunningBackupIsCancelledThroughItsWorkflowAndAFinishedOrASafetyOneIsRefusedInWords() throws Exception {
        String email = "bc-" + UUID.randomUUID() + "@example.com";
        var account = calls().call("POST", "/api/v1/accounts", Map.of("email", email, "password", "correct-horse-battery",
                "firstName", "Ada", "lastName", "Lovelace"), null);
        assertEquals(201, account.status(), account.body().toString());
        UUID owner = UUID.fromString((String) ((Map<String, Object>) account.body().get("account")).get("id"));
        String token = (String) calls().call("POST", "/api/v1/sessions", Map.of("email", email, "password", "correct-horse-battery"), null)
                .body().get("accessToken");
        var app = calls().call("POST", "/api/v1/apps", Map.of("name", "bc-" + UUID.randomUUID().toString().substring(0, 8)), token);
        String appId = (String) app.body().get("id");
        var staging = calls().call("POST", "/api/v1/apps/" + appId + "/environments", Map.of("name", "staging", "type", "staging"), token);
        assertEquals(202, staging.status(), staging.body().toString());
        UUID envId = UUID.fromString((String) staging.body().get("id"));
        environments.updateStatus(envId, EnvironmentStatus.RUNNING, null, Instant.now()); // as a finished provisioning leaves it
        String base = "/api/v1/apps/" + appId + "/environments/" + envId + "/backups";

        var started = calls().call("POST", base, null, token);
        assertEquals(202, started.status(), started.body().toString());
        String backupId = (String) started.body().get("id");
        var cancelled = calls().call("POST", base + "/" + backupId + "/cancel", null, token);
        assertEquals(202, cancelled.status(), cancelled.body().toString());
        assertEquals(backupId, cancelled.body().get("id"));
        assertTrue(cancelRequested("backup/" + backupId), "the backup's workflow got no cancel request");

        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        BackupRecord safety = backups.save(BackupRecord.pending(UUID.randomUUID(), UUID.fromString(appId), envId,
                BackupRecord.Trigger.SAFETY, owner, null, now));
        var refusedSafety = calls().call("POST", base + "/" + safety.id() + "/cancel", null, token);
        assertEquals(409, refusedSafety.status(), refusedSafety.body().toString());
        assertTrue(String.valueOf(refusedSafety.body().get("detail")).contains("A safety backup cannot be cancelled"), refusedSafety.body().toString());

        BackupRecord manual = backups.save(BackupRecord.pending(UUID.randomUUID(), UUID.fromString(appId), envId,
                BackupRecord.Trigger.MANUAL, owner, null, now));
        backups.update(new BackupRecord(manual.id(), manual.appId(), manual.envId(), manual.trigger(), BackupRecord.Status.FAILED, null,
                "dump failed", manual.objectPrefix(), null, null, null, null, owner, null, now, now, now, now));
        var refusedEnded = calls().call("POST", base + "/" + manual.id() + "/cancel", null, token);
        assertEquals(409, refusedEnded.status(), refusedEnded.body().toString());
        assertTrue(String.valueOf(refusedEnded.body().get("detail")).contains("has already ended (FAILED)"), refusedEnded.body().toString());

        assertEquals(404, calls().call("POST", base + "/" + UUID.randomUUID() + "/cancel", null, token).status());
        assertEquals(BackupRecord.Status.PENDING, backups.findById(safety.id()).orElseThrow().status(), "a refused cancel changed nothing");
    }
}
