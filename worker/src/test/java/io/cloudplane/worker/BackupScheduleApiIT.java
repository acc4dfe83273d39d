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
class BackupScheduleApiIT {
    @Inject
    @Client("/")
    HttpClient http;
    @Inject
    javax.sql.DataSource dataSource;

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
    void aStagingEnvironmentGetsTheDefaultScheduleWhichChangesThroughItsWorkflowAndRefusesBadValues() throws Exception {
        String email = "sched-" + UUID.randomUUID() + "@example.com";
        assertEquals(HttpStatus.CREATED, call(HttpRequest.POST("/api/v1/accounts", Map.of("email", email,
                "password", "correct-horse-battery", "firstName", "S", "lastName", "C")), null).getStatus());
        String token = (String) call(HttpRequest.POST("/api/v1/sessions", Map.of("email", email,
                "password", "correct-horse-battery")), null).body().get("accessToken");
        String appId = (String) call(HttpRequest.POST("/api/v1/apps", Map.of("name", "scheduled")), token).body().get("id");
        var staging = call(HttpRequest.POST("/api/v1/apps/" + appId + "/environments",
                Map.of("name", "production", "type", "production")), token);
        assertEquals(HttpStatus.ACCEPTED, staging.getStatus());
        String path = "/api/v1/apps/" + appId + "/environments/" + staging.body().get("id");

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
                Map.of("field", "retention.count", "body", Map.<String, Object>of("retention", Map.of("count", 0))),
                // Strictly typed: a string where a number or a boolean belongs, a number where a string does.
                Map.of("field", "retention.count", "body", Map.<String, Object>of("retention", Map.of("count", "4"))),
                Map.of("field", "paused", "body", Map.<String, Object>of("paused", "yes")),
                Map.of("field", "time", "body", Map.<String, Object>of("time", 2330)))) {
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

        // Three days ago, on the daily 02:00 schedule: one slot completed, one failed, one produced nothing.
        String envId = (String) staging.body().get("id");
        assertEquals(HttpStatus.OK, call(HttpRequest.PUT(path + "/backup-schedule", Map.of("frequency", "daily",
                "time", "02:00")), token).getStatus());
        Instant today = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS);
        Instant slot3 = today.minus(java.time.Duration.ofDays(3)).plus(java.time.Duration.ofHours(2));
        Instant slot2 = slot3.plus(java.time.Duration.ofDays(1));
        Instant slot1 = slot2.plus(java.time.Duration.ofDays(1));
        try (var c = io.micronaut.data.connection.jdbc.advice.DelegatingDataSource.unwrapDataSource(dataSource).getConnection();
             var s = c.createStatement()) {
            // Created an hour before the first of those slots, whatever the time of day now.
            Instant created = slot3.minus(java.time.Duration.ofHours(1));
            s.execute("UPDATE environments SET created_at = '" + created + "' WHERE id = '" + envId + "'");
            s.execute("UPDATE backup_schedules SET updated_at = '" + created + "' WHERE env_id = '" + envId + "'");
            for (Object[] row : new Object[][] {{slot2, "COMPLETED"}, {slot1, "FAILED"}}) {
                UUID id = UUID.randomUUID();
                s.execute("INSERT INTO backups (id, app_id, env_id, trigger, status, object_prefix, scheduled_for, created_at, "
                        + "started_at, finished_at, updated_at) VALUES ('" + id + "', '" + appId + "', '" + envId + "', 'SCHEDULED', '"
                        + row[1] + "', 'backups/x/', '" + row[0] + "', '" + row[0] + "', '" + row[0] + "', '" + row[0] + "', now())");
            }
        }
        var withHistory = call(HttpRequest.GET(path + "/backups/health"), token).body();
        List<String> missed = ((List<String>) withHistory.get("missedRuns")).stream().map(m -> Instant.parse(m).toString()).toList();
        List<String> expected = new java.util.ArrayList<>(List.of(slot3.toString(), slot1.toString()));
        if (Instant.now().isAfter(today.plus(java.time.Duration.ofHours(2)).plus(java.time.Duration.ofMinutes(15)))) {
            expected.add(today.plus(java.time.Duration.ofHours(2)).toString()); // today's slot has passed without a backup too
        }
        assertEquals(expected, missed, "a slot with no backup, and one whose backup failed");
        Map<String, Object> lastGood = (Map<String, Object>) withHistory.get("lastGoodBackup");
        assertEquals(slot2.toString(), Instant.parse((String) lastGood.get("scheduledFor")).toString());
        assertTrue(((Number) withHistory.get("lastGoodAgeSeconds")).longValue() >= 86_400);

        var paused = call(HttpRequest.PUT(path + "/backup-schedule", Map.of("paused", true)), token);
        assertEquals(HttpStatus.OK, paused.getStatus());
        assertNull(paused.body().get("nextRunAt"));
        assertTrue((Boolean) call(HttpRequest.GET(path + "/backups/health"), token).body().get("schedulePaused"));
    }
}
