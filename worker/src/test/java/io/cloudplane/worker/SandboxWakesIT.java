package io.cloudplane.worker;

import io.cloudplane.api.gateway.SandboxWakes;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.infra.runtime.ServerCatalog;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.workflows.operation.OperationType;
import io.micronaut.context.annotation.Property;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SandboxWakes} against the real lifecycle (worker, embedded Temporal, PostgreSQL, the
 * built-in server as a process): a sandbox left idle falls asleep, concurrent Studio requests of
 * its owner wake it with one WAKE_SANDBOX operation and are told once it runs (the time printed), a
 * request joins a wake asked for through the API, and a sandbox its owner stopped is not woken.
 */
@MicronautTest(transactional = false)
@Property(name = "cloudplane.sandbox.idle-period", value = "4s")
@Property(name = "cloudplane.gateway.wake-wait", value = "60s")
@Property(name = "cloudplane.server-versions[0].version", value = "1.0.0")
@Property(name = "cloudplane.server-versions[0].command", value = ServerCatalog.BUILTIN_COMMAND + "1.0.0")
@Property(name = "cloudplane.metrics.enabled", value = "false")
class SandboxWakesIT {
    private static final String PASSWORD = "correct-horse-battery";
    @Inject @Client("/") HttpClient http;
    @Inject SandboxWakes wakes;
    @Inject EnvironmentRepository environments;
    @Inject OperationRepository operations;

    @Test
    void concurrentStudioRequestsWakeASleepingSandboxOnceAndAStoppedOneIsNotWoken() throws Exception {
        Map<String, Object> account = http.toBlocking().retrieve(HttpRequest.POST("/api/v1/accounts", Map.of(
                "email", "wake-" + UUID.randomUUID() + "@example.com", "password", PASSWORD,
                "firstName", "Wendy", "lastName", "Waker")), Argument.mapOf(String.class, Object.class));
        UUID appId = UUID.fromString((String) account.get("sandboxAppId"));
        @SuppressWarnings("unchecked")
        Map<String, Object> operation = (Map<String, Object>) account.get("operation");
        UUID envId = UUID.fromString((String) operation.get("envId"));
        UUID ownerId = UUID.fromString((String) ((Map<?, ?>) account.get("account")).get("id"));
        await("provisioned").atMost(Duration.ofSeconds(60)).until(() -> status(envId) == EnvironmentStatus.RUNNING);

        // A running sandbox: nothing to wake, answered at once, no operation.
        assertTrue(wakes.wake(appId, envId, ownerId).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals(0, wakeOperations(appId).size());

        await("asleep").atMost(Duration.ofSeconds(60)).until(() -> status(envId) == EnvironmentStatus.SLEEPING);
        await("the sleep finished").atMost(Duration.ofSeconds(30))
                .until(() -> operations.findActiveForEnvironment(envId).isEmpty());

        Instant first = Instant.now();
        List<CompletableFuture<Boolean>> requests = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            requests.add(wakes.wake(appId, envId, ownerId).toCompletableFuture());
        }
        assertEquals(1, wakes.waiting(), "twenty requests, one wait");
        for (CompletableFuture<Boolean> request : requests) {
            assertTrue(request.get(60, TimeUnit.SECONDS), "woken");
        }
        Duration toRunning = Duration.between(first, Instant.now());
        String preview = environments.findById(envId).orElseThrow().previewUrl();
        HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(URI.create(preview + "_health")).build(), HttpResponse.BodyHandlers.ofString());
        Duration toFirstByte = Duration.between(first, Instant.now());
        System.out.printf("Wake on request: RUNNING %d ms after the first Studio request, the server's first answer at %d ms%n",
                toRunning.toMillis(), toFirstByte.toMillis());
        assertEquals(200, answer.statusCode(), "the woken server answers");
        List<OperationRecord> woken = wakeOperations(appId);
        assertEquals(1, woken.size(), "one wake operation for twenty requests: " + woken);
        await("the wake finished").atMost(Duration.ofSeconds(30))
                .until(() -> operations.findById(woken.get(0).id()).orElseThrow().status() == OperationStatus.SUCCEEDED);
        assertEquals(0, wakes.waiting());

        // Asleep again, woken through the API: a Studio request joins that wake.
        await("asleep again").atMost(Duration.ofSeconds(60)).until(() -> status(envId) == EnvironmentStatus.SLEEPING);
        await("the sleep finished").atMost(Duration.ofSeconds(30))
                .until(() -> operations.findActiveForEnvironment(envId).isEmpty());
        String token = token((String) ((Map<?, ?>) account.get("account")).get("email"));
        // The login wakes the sandbox (the lifecycle's wake at login): the request joins that wake, or finds it done.
        CompletableFuture<Boolean> joining = wakes.wake(appId, envId, ownerId).toCompletableFuture();
        assertTrue(joining.get(60, TimeUnit.SECONDS));
        assertEquals(2, wakeOperations(appId).size(), "the login's wake, joined: " + wakeOperations(appId));

        // Stopped by its owner: never woken by a request. The wake's operation may still be closing when the server
        // already answers (the join above completes on the server's health): a stop meanwhile is a 409, so wait for it.
        await("the wake's operation closed").atMost(Duration.ofSeconds(30))
                .until(() -> operations.findActiveForEnvironment(envId).isEmpty());
        http.toBlocking().exchange(HttpRequest.POST("/api/v1/apps/" + appId + "/environments/" + envId + "/stop", "")
                .bearerAuth(token));
        await("stopped").atMost(Duration.ofSeconds(60)).until(() -> status(envId) == EnvironmentStatus.STOPPED);
        long before = System.nanoTime();
        assertFalse(wakes.wake(appId, envId, ownerId).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before) < 2_000, "refused at once");
        Thread.sleep(500);
        assertEquals(EnvironmentStatus.STOPPED, status(envId));
        assertEquals(2, wakeOperations(appId).size());
    }

    private String token(String email) {
        Map<String, Object> session = http.toBlocking().retrieve(HttpRequest.POST("/api/v1/sessions",
                Map.of("email", email, "password", PASSWORD)), Argument.mapOf(String.class, Object.class));
        return (String) session.get("accessToken");
    }

    private EnvironmentStatus status(UUID envId) {
        return environments.findById(envId).orElseThrow().status();
    }

    private List<OperationRecord> wakeOperations(UUID appId) {
        return operations.findAll().stream()
                .filter(op -> appId.equals(op.appId()) && op.type() == OperationType.WAKE_SANDBOX).toList();
    }
}
