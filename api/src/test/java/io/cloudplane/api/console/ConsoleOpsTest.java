package io.cloudplane.api.console;

import io.cloudplane.api.backup.BackupSchedules;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.temporal.client.WorkflowClient;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.metrics.MetricsStore;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.json.JsonMapper;
import io.micronaut.core.type.Argument;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Metrics, Logs and Backups tabs' forms and fragments, posted as a browser does: the session cookie (the API's
 * own token) and the CSRF token read from the page. The schedule saved and a refused value shown with the API's
 * reason; back up now; a restore without its confirmation refused, changing nothing; the log's tail fragment,
 * following and paused, and its download; the metrics' JSON and the page's text alternative.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleOpsTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    @Inject EmbeddedServer server;
    @Inject JsonMapper json;
    @Inject EnvironmentRepository environments;
    @Inject EnvironmentFiles files;
    @Inject MetricsStore metrics;
    @Inject WorkflowClient workflows;
    @Inject BackupSchedules schedules;
    private final HttpClient http = HttpClient.newHttpClient();
    private String token;
    private String appId;
    private String devId;
    private String stagingId;

    @BeforeAll
    void anAppWithARunningStagingEnvironment() throws Exception {
        String email = "console-ops-" + UUID.randomUUID() + "@example.com";
        assertEquals(201, api("POST", "/api/v1/accounts", null, Map.of("email", email, "password", PASSWORD,
                "firstName", "Ada", "lastName", "Ops")).statusCode());
        token = (String) body(api("POST", "/api/v1/sessions", null, Map.of("email", email, "password", PASSWORD))).get("accessToken");
        var app = api("POST", "/api/v1/apps", token, Map.of("name", "ops-" + UUID.randomUUID().toString().substring(0, 8)));
        assertEquals(202, app.statusCode(), app.body());
        appId = (String) body(app).get("id");
        devId = (String) ((Map<?, ?>) body(app).get("operation")).get("envId");
        var staging = api("POST", "/api/v1/apps/" + appId + "/environments", token, Map.of("name", "staging", "type", "staging"));
        assertEquals(202, staging.statusCode(), staging.body());
        stagingId = (String) body(staging).get("id");
        // No worker runs in the API's tests: the environments are made RUNNING as provisioning would.
        for (String env : List.of(devId, stagingId)) {
            environments.updateStatus(UUID.fromString(env), EnvironmentStatus.RUNNING, null, Instant.now());
        }
    }

    @Test
    void theScheduleIsSavedAndARefusedValueIsShownWithTheApisReason() throws Exception {
        String page = base(stagingId) + "/backups";
        HttpResponse<String> tab = get(page);
        assertEquals(200, tab.statusCode(), tab.body());
        assertTrue(tab.body().contains("Save the schedule") && tab.body().contains("Last good backup"), tab.body());
        String csrf = csrf(tab.body());

        HttpResponse<String> refused = post(page + "/schedule", Map.of("csrf", csrf, "frequency", "daily", "time", "25:99",
                "retentionCount", "7", "retentionDays", "30"));
        assertEquals(400, refused.statusCode(), refused.body());
        java.util.regex.Matcher alert = java.util.regex.Pattern.compile("id=\"schedule-error\"[^>]*>([^<]*)<").matcher(refused.body());
        assertTrue(alert.find() && alert.group(1).contains("time"), "the API's reason, naming the field, in the alert: " + refused.body());
        assertTrue(refused.body().contains("value=\"25:99\""), "the form keeps what was sent");
        assertEquals("02:00", schedule().get("time"), "a refused schedule changes nothing");

        // No worker runs here to answer the schedule workflow's Update: without the workflow, the API records the
        // schedule and starts the workflow again, as it does for an environment whose workflow is not running.
        if (schedules.running(UUID.fromString(stagingId))) {
            workflows.newUntypedWorkflowStub(BackupSchedules.workflowId(UUID.fromString(stagingId))).terminate("no worker in the API's tests");
        }
        HttpResponse<String> saved = post(page + "/schedule", Map.of("csrf", csrf, "frequency", "weekly", "dayOfWeek", "sunday",
                "time", "03:30", "retentionCount", "5", "retentionDays", "10"));
        assertEquals(303, saved.statusCode(), saved.body());
        assertEquals(page + "?saved=schedule", saved.headers().firstValue("Location").orElseThrow());
        Map<String, Object> schedule = schedule();
        assertEquals("weekly", schedule.get("frequency"));
        assertEquals("sunday", schedule.get("dayOfWeek"));
        assertEquals("03:30", schedule.get("time"));
        assertEquals(Map.of("count", 5, "days", 10), schedule.get("retention"));
        HttpResponse<String> shown = get(page + "?saved=schedule");
        assertTrue(shown.body().contains("The schedule is saved"), shown.body());
        assertTrue(shown.body().contains("<option value=\"weekly\" selected>"), "the form shows the saved schedule");
    }

    @Test
    void backUpNowListsTheBackupAndARestoreWithoutItsConfirmationIsRefused() throws Exception {
        String page = base(stagingId) + "/backups";
        String csrf = csrf(get(page).body());
        HttpResponse<String> started = post(page, Map.of("csrf", csrf));
        assertEquals(303, started.statusCode(), started.body());
        String location = started.headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith(page + "?started="), location);
        String backupId = location.substring(location.indexOf('=') + 1);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> items = (List<Map<String, Object>>) body(api("GET", "/api/v1/apps/" + appId + "/environments/"
                + stagingId + "/backups", token, null)).get("items");
        assertEquals(List.of(backupId), items.stream().map(b -> b.get("id")).toList());
        assertEquals("MANUAL", items.get(0).get("trigger"));

        HttpResponse<String> list = get(page + "/list", true);
        assertEquals(200, list.statusCode());
        assertTrue(list.body().contains("data-backup-id=\"" + backupId + "\""), list.body());
        assertTrue(list.body().contains("hx-trigger=\"every 2s\""), "the list follows a backup under way: " + list.body());
        assertTrue(list.body().contains("Dumping: Pending") && list.body().contains("Verifying: Pending"), "its steps: " + list.body());
        assertTrue(get(location).body().contains("The backup has started"));

        HttpResponse<String> confirm = get(page + "/" + backupId + "/restore");
        assertEquals(200, confirm.statusCode(), confirm.body());
        assertTrue(confirm.body().contains("Type the environment's name"), confirm.body());
        for (Map<String, String> form : List.of(Map.of("csrf", csrf), Map.of("csrf", csrf, "confirm", "production"))) {
            HttpResponse<String> refused = post(page + "/" + backupId + "/restore", form);
            assertEquals(400, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("role=\"alert\"") && refused.body().contains("to confirm"), refused.body());
        }
        assertEquals("RUNNING", body(api("GET", "/api/v1/apps/" + appId + "/environments/" + stagingId, token, null)).get("status"),
                "no restore started");
        // Confirmed, the API's own rule answers: only a completed backup is restored; said on the page, not a 500.
        HttpResponse<String> pending = post(page + "/" + backupId + "/restore", Map.of("csrf", csrf, "confirm", "staging"));
        assertEquals(400, pending.statusCode(), pending.body());
        assertTrue(pending.body().contains("only completed"), pending.body());
        HttpResponse<String> download = get(page + "/" + backupId + "/download?part=database");
        assertEquals(409, download.statusCode(), "a backup under way does not download yet");
    }

    @Test
    void aDevelopmentEnvironmentSaysItHasNoBackups() throws Exception {
        HttpResponse<String> tab = get(base(devId) + "/backups");
        assertEquals(200, tab.statusCode(), tab.body());
        assertTrue(tab.body().contains("has no backup service"), tab.body());
    }

    @Test
    void theLogsTailFollowsPausesAndDownloads() throws Exception {
        Path log = files.runDir(devId).resolve("server.log");
        Files.createDirectories(log.getParent());
        Files.writeString(log, "first line\nsecond <line>\nthird line\n");
        HttpResponse<String> tab = get(base(devId) + "/logs");
        assertEquals(200, tab.statusCode(), tab.body());
        assertTrue(tab.body().contains("third line") && tab.body().contains("second &lt;line&gt;"), tab.body());

        HttpResponse<String> following = get(base(devId) + "/logs/tail?follow=true&lines=2", true);
        assertEquals(200, following.statusCode());
        assertTrue(following.body().contains("hx-trigger=\"every 2s\""), following.body());
        assertTrue(following.body().contains(">Pause<"), following.body());
        assertTrue(following.body().contains("third line") && !following.body().contains("first line"), following.body());
        HttpResponse<String> paused = get(base(devId) + "/logs/tail?follow=false&lines=2", true);
        assertFalse(paused.body().contains("hx-trigger"), "paused, the tail does not poll: " + paused.body());
        assertTrue(paused.body().contains(">Follow<"), paused.body());
        assertEquals(400, get(base(devId) + "/logs/tail?lines=0", true).statusCode());

        HttpResponse<String> download = get(base(devId) + "/logs/download");
        assertEquals(200, download.statusCode());
        assertTrue(download.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment"), download.headers().toString());
        assertEquals("first line\nsecond <line>\nthird line\n", download.body());
    }

    @Test
    void theMetricsJsonHasTheSeriesAndThePageSaysTheLatestReading() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        UUID env = UUID.fromString(stagingId);
        metrics.write(List.of(new MetricsStore.Sample(env, now.minusSeconds(120), 12.5, 200_000_000L, 50_000_000L, null, null),
                new MetricsStore.Sample(env, now.minusSeconds(60), 25.0, 210_000_000L, 51_000_000L, null, null)));
        HttpResponse<String> series = get(base(stagingId) + "/metrics/series?range=1h");
        assertEquals(200, series.statusCode(), series.body());
        Map<String, Object> body = json.readValue(series.body(), Argument.mapOf(String.class, Object.class));
        assertEquals(30, ((Number) body.get("stepSeconds")).intValue());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> points = (List<Map<String, Object>>) body.get("points");
        assertEquals(List.of(12.5, 25.0), points.stream().map(p -> ((Number) p.get("cpuPercent")).doubleValue()).toList());

        HttpResponse<String> bad = get(base(stagingId) + "/metrics/series?range=forever");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("range"), bad.body());

        HttpResponse<String> page = get(base(stagingId) + "/metrics?range=1h");
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("data-series-url=\"" + base(stagingId) + "/metrics/series?range=1h\""), page.body());
        assertTrue(page.body().contains("25.0 %") && page.body().contains("210.0 MB"), "the captions say the latest readings: " + page.body());
        HttpResponse<String> backwards = get(base(stagingId) + "/metrics?from=2026-11-20T10:00&to=2026-11-20T09:00");
        assertEquals(400, backwards.statusCode());
        assertTrue(backwards.body().contains("role=\"alert\""), backwards.body());
    }

    // ---- helpers

    private String base(String envId) {
        return "/apps/" + appId + "/environments/" + envId;
    }

    private Map<String, Object> schedule() throws Exception {
        return body(api("GET", "/api/v1/apps/" + appId + "/environments/" + stagingId + "/backup-schedule", token, null));
    }

    private static String csrf(String html) {
        Matcher m = CSRF.matcher(html);
        assertTrue(m.find(), "the page has a form with its CSRF token");
        return m.group(1);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return get(path, false);
    }

    private HttpResponse<String> get(String path, boolean htmx) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Cookie", ConsoleSession.COOKIE + "=" + token).GET();
        if (htmx) {
            request.header("HX-Request", "true");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, Map<String, String> form) throws IOException, InterruptedException {
        String body = new LinkedHashMap<>(form).entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return http.send(HttpRequest.newBuilder(uri(path)).header("Cookie", ConsoleSession.COOKIE + "=" + token)
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> api(String method, String path, String bearer, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (body != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Map<String, Object> body(HttpResponse<String> response) throws IOException {
        assertNotNull(response.body());
        return json.readValue(response.body(), Argument.mapOf(String.class, Object.class));
    }

    private URI uri(String path) {
        return URI.create(server.getURL() + path);
    }
}
