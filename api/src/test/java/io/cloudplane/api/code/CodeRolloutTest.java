package io.cloudplane.api.code;

import io.cloudplane.infra.code.CodeArchives;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.workflows.operation.OperationType;
import io.micronaut.context.annotation.Property;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On Kubernetes an upload to a running development environment is followed by a restart operation (the worker
 * applies the Deployment with the new code and it rolls); a stopped environment gets the code at its next start.
 * No worker runs here: the operation's row and its workflow's start are what the API does.
 */
@MicronautTest(transactional = false)
@Property(name = "cloudplane.runtime", value = "kubernetes")
@Property(name = "micronaut.http.client.read-timeout", value = "60s")
class CodeRolloutTest {
    @Inject @Client("/") HttpClient http;
    @Inject EnvironmentRepository environments;
    @Inject OperationRepository operations;
    @Inject EnvironmentFiles files;

    @SuppressWarnings("unchecked")
    private Map<String, Object> post(String path, Map<String, Object> body, String token) {
        var request = HttpRequest.POST(path, body);
        if (token != null) {
            request.bearerAuth(token);
        }
        return http.toBlocking().exchange(request, Argument.mapOf(String.class, Object.class)).body();
    }

    private static byte[] site(String text) throws Exception {
        Path dir = Files.createTempDirectory("site-");
        Files.writeString(dir.resolve("index.html"), text);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodeArchives.writeTarGz(dir, out);
        return out.toByteArray();
    }

    @Test
    @SuppressWarnings("unchecked")
    void anUploadToARunningEnvironmentRollsItsPodsByARestartAndAStoppedOneWaitsForItsStart() throws Exception {
        String email = "rollout-" + UUID.randomUUID() + "@example.com";
        Map<String, Object> account = post("/api/v1/accounts", Map.of("email", email, "password", "correct-horse-battery",
                "firstName", "Ada", "lastName", "Lovelace"), null);
        UUID userId = UUID.fromString((String) ((Map<String, Object>) account.get("account")).get("id"));
        String token = (String) post("/api/v1/sessions", Map.of("email", email, "password", "correct-horse-battery"), null).get("accessToken");
        Map<String, Object> app = post("/api/v1/apps", Map.of("name", "rollout"), token);
        UUID appId = UUID.fromString((String) app.get("id"));
        UUID devId = UUID.fromString((String) ((Map<String, Object>) app.get("operation")).get("envId"));
        operations.findActiveForEnvironment(devId).ifPresent(op -> operations.finish(op.id(), OperationStatus.SUCCEEDED, null, Instant.now()));
        environments.updateStatus(devId, EnvironmentStatus.RUNNING, null, Instant.now());
        files.createFolders(devId.toString());

        HttpResponse<Map<String, Object>> uploaded = http.toBlocking().exchange(
                HttpRequest.PUT("/api/v1/apps/" + appId + "/environments/" + devId + "/code", site("v2"))
                        .contentType(MediaType.of("application/gzip")).bearerAuth(token), Argument.mapOf(String.class, Object.class));
        assertEquals(HttpStatus.OK, uploaded.getStatus());
        UUID rollout = UUID.fromString((String) uploaded.body().get("rolloutOperationId"));
        var op = operations.findById(rollout).orElseThrow();
        assertEquals(OperationType.RESTART_SERVER, op.type());
        assertEquals(devId, op.envId());
        assertEquals(userId, op.userId(), "the uploader asked for it");
        assertTrue(operations.findActiveForEnvironment(devId).isPresent(), "it holds the environment like any operation");

        operations.finish(rollout, OperationStatus.SUCCEEDED, null, Instant.now());
        environments.updateStatus(devId, EnvironmentStatus.STOPPED, null, Instant.now());
        HttpResponse<Map<String, Object>> stopped = http.toBlocking().exchange(
                HttpRequest.PUT("/api/v1/apps/" + appId + "/environments/" + devId + "/code", site("v3"))
                        .contentType(MediaType.of("application/gzip")).bearerAuth(token), Argument.mapOf(String.class, Object.class));
        assertEquals(HttpStatus.OK, stopped.getStatus());
        assertNull(stopped.body().get("rolloutOperationId"), "a stopped environment fetches its code when it starts");
        assertFalse(operations.findActiveForEnvironment(devId).isPresent());
    }
}
