package io.cloudplane.api.health;

import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The probes docs/operations.md tells operators to use, without a credential: readiness checks what a
 * process needs to serve (the database, Temporal), liveness only the process itself, so that an outage of
 * PostgreSQL or Temporal takes pods out of rotation instead of restarting them.
 */
@MicronautTest(transactional = false)
class HealthProbesTest {
    @Inject
    @Client("/")
    HttpClient http;

    @Test
    void readinessChecksTheDatabaseAndTemporal() {
        Map<String, Object> details = details("/health/readiness");
        assertTrue(details.containsKey("jdbc"), "readiness: " + details);
        assertTrue(details.containsKey("temporal"), "readiness: " + details);
        assertEquals("UP", status(details, "jdbc"));
        assertEquals("UP", status(details, "temporal"));
    }

    @Test
    void livenessChecksNeitherTheDatabaseNorTemporal() {
        Map<String, Object> details = details("/health/liveness");
        assertFalse(details.containsKey("jdbc"), "liveness: " + details);
        assertFalse(details.containsKey("temporal"), "liveness: " + details);
        assertTrue(details.containsKey("deadlockedThreads"), "liveness: " + details);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> details(String path) {
        HttpResponse<Map<String, Object>> response = http.toBlocking().exchange(HttpRequest.GET(path),
                Argument.mapOf(String.class, Object.class));
        assertEquals(HttpStatus.OK, response.getStatus(), path);
        Map<String, Object> body = response.body();
        assertEquals("UP", body.get("status"), path + ": " + body);
        return (Map<String, Object>) body.get("details");
    }

    @SuppressWarnings("unchecked")
    private static Object status(Map<String, Object> details, String indicator) {
        return ((Map<String, Object>) details.get(indicator)).get("status");
    }
}
