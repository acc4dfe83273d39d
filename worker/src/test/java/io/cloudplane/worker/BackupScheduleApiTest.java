package io.cloudplane.worker;

import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.http.client.exceptions.HttpClientResponseException;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backup schedule over HTTP with the worker running: a new staging environment gets the default
 * schedule (daily, 02:00 GMT), a change goes through the workflow's Update, and a bad value is a
 * 400 naming the field that changes nothing. Health reports the next run.
 */
@MicronautTest(transactional = false)
class BackupScheduleApiTest {
    @Inject
    @Client("/")
    HttpClient http;

    @SuppressWarnings("unchecked")
    private HttpResponse<Map<String, Object>> call(MutableHttpRequest<?> request, String token) {
        if (token != null) {
            request.bearerAuth(token);
        }
        try {
            return http.toBlocking().exchange(request, Argument.mapOf(String.class, Object.class));
        } catch (HttpClientResponseException e) {
            Map<String, Object> body = e.getResponse().getBody(Argument.mapOf(String.class, Object.class)).orElse(Map.of());
            return HttpResponse.<Map<String, Object>>status(e.getStatus()).body(body);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aStagingEnvironmentGetsTheDefaultScheduleWhichChangesThroughItsWorkflowAndRefusesBadValues() {
        String email = "sched-" + UUID.randomUUID() + "@example.com";
        assertEquals(HttpStatus.CREATED, call(HttpRequest.POST("/api/v1/accounts", Map.of("email", email,
                "password", "correct-horse-battery", "firstName", "S", "lastName", "C")), null).getStatus());
        String token = (String) call(HttpRequest.POST("/api/v1/sessions", Map.of("email", email,
                "password", "correct-horse-battery")), null).body().get("accessToken");
        String appId = (String) call(HttpRequest.POST("/api/v1/apps", Map.of("name", "scheduled")), token).body().get("appId");
        var staging = call(HttpRequest.POST("/api/v1/apps/" + appId + "/environments",
                Map.of("name", "production", "type", "production")), token);
        assertEquals(HttpStatus.ACCEPTED, staging.getStatus());
        String path = "/api/v1/apps/" + appId + "/environments/" + staging.body().get("envId");

        var schedule = call(HttpRequest.GET(path + "/backup-schedule"), token).body();
        assertEquals("daily", schedule.get("frequency"));
        assertEquals("02:00", schedule.get("time"));
        assertEquals(Map.of("count", 7, "days", 30), schedule.get("retention"));
        assertEquals(false, schedule.get("paused"));
        Instant next = Instant.parse((String) schedule.get("nextRunAt"));
        assertEquals(2, next.atZone(ZoneOffset.UTC).getHour());

        var changed = call(HttpRequest.PUT(path + "/backup-schedule", Map.of("frequency", "weekly", "dayOfWeek", "saturday",
                "time", "23:30", "retention", Map.of("count", 4, "days", 60))), token);
        assertEquals(HttpStatus.OK, changed.getStatus(), String.valueOf(changed.body()));
        Instant saturday = Instant.parse((String) changed.body().get("nextRunAt"));
        assertEquals(DayOfWeek.SATURDAY, saturday.atZone(ZoneOffset.UTC).getDayOfWeek());
        assertEquals(23, saturday.atZone(ZoneOffset.UTC).getHour());

        for (var bad : List.of(Map.of("field", "time", "body", Map.<String, Object>of("time", "25:00")),
                Map.of("field", "frequency", "body", Map.<String, Object>of("frequency", "hourly")),
                Map.of("field", "retention.count", "body", Map.<String, Object>of("retention", Map.of("count", 0))))) {
            var refused = call(HttpRequest.PUT(path + "/backup-schedule", bad.get("body")), token);
            assertEquals(HttpStatus.BAD_REQUEST, refused.getStatus(), String.valueOf(refused.body()));
            List<Map<String, Object>> errors = (List<Map<String, Object>>) refused.body().get("errors");
            assertEquals(bad.get("field"), errors.get(0).get("field"));
        }
        var after = call(HttpRequest.GET(path + "/backup-schedule"), token).body();
        assertEquals("weekly", after.get("frequency"));
        assertEquals("saturday", after.get("dayOfWeek"));
        assertEquals("23:30", after.get("time"));
        assertEquals(Map.of("count", 4, "days", 60), after.get("retention"));

        var health = call(HttpRequest.GET(path + "/backups/health"), token).body();
        assertNull(health.get("lastGoodBackup"));
        assertEquals(saturday.toString(), Instant.parse((String) health.get("nextScheduledRun")).toString());
        assertEquals(List.of(), health.get("missedRuns"));

        var paused = call(HttpRequest.PUT(path + "/backup-schedule", Map.of("paused", true)), token);
        assertEquals(HttpStatus.OK, paused.getStatus());
        assertNull(paused.body().get("nextRunAt"));
        assertTrue((Boolean) call(HttpRequest.GET(path + "/backups/health"), token).body().get("schedulePaused"));
    }
}
