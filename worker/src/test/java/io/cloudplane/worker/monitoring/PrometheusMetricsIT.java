package io.cloudplane.worker.monitoring;

import io.cloudplane.api.gateway.GatewayServer;
import io.cloudplane.infra.backup.BackupRecord;
import io.cloudplane.infra.backup.BackupRepository;
import io.cloudplane.infra.database.DatabaseProvisioner;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.runtime.ServerCatalog;
import io.cloudplane.worker.GatewayClient;
import io.micronaut.context.annotation.Property;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpHeaders;
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
import org.yaml.snakeyaml.Yaml;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /metrics} of a running Cloudplane (API and worker in one process, embedded PostgreSQL, Temporal and S3),
 * parsed by a strict text-format parser: the token guards it; a provisioning through the API moves the operation
 * counters, the duration and the environments gauge; a backup that fails (its database gone) moves the backups'
 * counter and gives its environment a last-good-backup age; JVM, HTTP server and Temporal SDK series are there; and
 * every metric and label the example alert rules (docs/prometheus/cloudplane-alerts.yml) name is exported.
 */
@MicronautTest(transactional = false)
@Property(name = "cloudplane.monitoring.token", value = PrometheusMetricsIT.TOKEN)
@Property(name = "cloudplane.monitoring.gauge-cache", value = "0s")
@Property(name = "cloudplane.server-versions[0].version", value = "1.0.0")
@Property(name = "cloudplane.server-versions[0].command", value = ServerCatalog.BUILTIN_COMMAND + "1.0.0")
@Property(name = "cloudplane.metrics.enabled", value = "false")
class PrometheusMetricsIT {
    static final String TOKEN = "scrape-token-0123456789abcdef0123456789";
    private static final String PASSWORD = "correct-horse-battery";
    private static final Path ALERTS = Path.of("..", "docs", "prometheus", "cloudplane-alerts.yml");

    @Inject @Client("/") HttpClient http;
    @Inject EnvironmentRepository environments;
    @Inject BackupRepository backups;
    @Inject DatabaseProvisioner databases;
    @Inject javax.sql.DataSource dataSource;
    @Inject GatewayServer gateway;

    @Test
    void provisioningAndAFailedBackupMoveTheirSeriesAndTheAlertRulesNameOnlyExportedMetrics() throws Exception {
        java.time.Instant testStart = java.time.Instant.now();
        // The token guards the endpoint.
        assertEquals(HttpStatus.UNAUTHORIZED, status(HttpRequest.GET("/metrics")));
        assertEquals(HttpStatus.UNAUTHORIZED, status(HttpRequest.GET("/metrics").bearerAuth(TOKEN + "x")));
        HttpResponse<String> first = http.toBlocking().exchange(HttpRequest.GET("/metrics").bearerAuth(TOKEN), String.class);
        assertEquals("text/plain; version=0.0.4; charset=utf-8", first.getHeaders().get(HttpHeaders.CONTENT_TYPE));
        PrometheusText before = PrometheusText.parse(first.body());
        assertEquals("counter", before.type("cloudplane_operations_started_total"), "typed as a counter");
        assertTrue(before.has("cloudplane_operations_started_total", Map.of("type", "PROVISION_ENVIRONMENT")),
                "every operation type's counter exists from the start");
        assertTrue(before.has("cloudplane_environments", Map.of("status", "RUNNING")));
        assertTrue(before.has("cloudplane_sandboxes", Map.of("phase", "ASLEEP")));
        assertTrue(before.names().contains("jvm_memory_used_bytes"), "JVM metrics");
        assertTrue(before.names().contains("cloudplane_sftp_sessions"), "SFTP sessions");
        assertTrue(before.has("cloudplane_gateway_requests_total", Map.of("outcome", "FORWARDED")), "gateway requests");

        // A production environment provisioned through the API.
        String email = "metrics-" + UUID.randomUUID() + "@example.com";
        assertEquals(HttpStatus.CREATED, call(HttpRequest.POST("/api/v1/accounts", Map.of("email", email, "password", PASSWORD,
                "firstName", "M", "lastName", "S")), null).getStatus());
        String token = (String) call(HttpRequest.POST("/api/v1/sessions", Map.of("email", email, "password", PASSWORD)), null)
                .body().get("accessToken");
        String appId = (String) call(HttpRequest.POST("/api/v1/apps", Map.of("name", "measured")), token).body().get("id");
        var created = call(HttpRequest.POST("/api/v1/apps/" + appId + "/environments", Map.of("name", "production",
                "type", "production")), token);
        assertEquals(HttpStatus.ACCEPTED, created.getStatus(), String.valueOf(created.body()));
        UUID envId = UUID.fromString((String) created.body().get("id"));
        // the sign-up's sandbox, the app's development environment and the production one: each a provisioning
        List<String> provisionings = await("every provisioning to succeed").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200)).until(() -> provisioningsSince(testStart),
                        ops -> ops.size() >= 2 && ops.stream().allMatch(status -> status.equals("SUCCEEDED")));
        int n = provisionings.size();
        Map<String, String> provision = Map.of("type", "PROVISION_ENVIRONMENT");
        Map<String, String> succeeded = Map.of("type", "PROVISION_ENVIRONMENT", "outcome", "SUCCEEDED");
        PrometheusText provisioned = await("the provisionings' ends to be counted").atMost(Duration.ofSeconds(10))
                .until(this::scrape, s -> delta(before, s, "cloudplane_operations_finished_total", succeeded) >= n);
        assertEquals(n, delta(before, provisioned, "cloudplane_operations_started_total", provision), () -> operationsSince(testStart));
        assertEquals(n, delta(before, provisioned, "cloudplane_operations_finished_total", succeeded));
        assertEquals(0, delta(before, provisioned, "cloudplane_operations_finished_total",
                Map.of("type", "PROVISION_ENVIRONMENT", "outcome", "FAILED")));
        assertEquals(n, delta(before, provisioned, "cloudplane_operation_duration_seconds_count", succeeded));
        assertTrue(delta(before, provisioned, "cloudplane_operation_duration_seconds_sum", succeeded) > 0);
        assertTrue(delta(before, provisioned, "cloudplane_operation_duration_seconds_bucket",
                Map.of("type", "PROVISION_ENVIRONMENT", "outcome", "SUCCEEDED", "le", "+Inf")) == n);
        assertTrue(provisioned.sum("cloudplane_environments", Map.of("status", "RUNNING"))
                >= before.sum("cloudplane_environments", Map.of("status", "RUNNING")) + n);
        assertTrue(delta(before, provisioned, "cloudplane_sandboxes", Map.of("phase", "AWAKE")) >= 1, "the sign-up's sandbox is awake");
        assertTrue(provisioned.sum("http_server_requests_seconds_count", Map.of("method", "POST", "status", "202")) >= 1,
                "the API's requests are measured");

        // The access gateway counts what it decided: a host that names no environment is refused.
        GatewayClient.Answer unknown = GatewayClient.get("http://no-such-environment.localhost:" + gateway.port() + "/", null);
        assertTrue(unknown.status() >= 400 && unknown.status() < 500, "refused: " + unknown.status());
        assertEquals(1, delta(provisioned, scrape(), "cloudplane_gateway_requests_total", Map.of("outcome", "REFUSED")));

        // A backup that fails: the environment's database is gone.
        EnvironmentRecord env = environments.findById(envId).orElseThrow();
        databases.dropDatabase(env.dbName());
        var backup = call(HttpRequest.POST("/api/v1/apps/" + appId + "/environments/" + envId + "/backups", Map.of()), token);
        assertEquals(HttpStatus.ACCEPTED, backup.getStatus(), String.valueOf(backup.body()));
        UUID backupId = UUID.fromString((String) backup.body().get("id"));
        BackupRecord failed = await("the backup to fail").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> backups.findById(backupId).orElseThrow(), b -> b.status().isFinal());
        assertEquals(BackupRecord.Status.FAILED, failed.status(), failed.toString());
        PrometheusText afterBackup = scrape();
        assertEquals(1, delta(before, afterBackup, "cloudplane_backups_finished_total", Map.of("outcome", "FAILED")));
        assertEquals(0, delta(before, afterBackup, "cloudplane_backups_finished_total", Map.of("outcome", "COMPLETED")));
        Map<String, String> ofEnv = Map.of("app_id", appId, "env_id", envId.toString());
        assertTrue(afterBackup.has("cloudplane_backup_last_good_age_seconds", ofEnv), "the environment has a backup age");
        double age = afterBackup.sum("cloudplane_backup_last_good_age_seconds", ofEnv);
        assertTrue(age >= 0 && age < 600, "no good backup: counted from the environment's creation, minutes ago: " + age);

        // The Temporal SDK's metrics arrive every 10 s; then every name the alert rules use must be exported.
        PrometheusText all = await("the Temporal SDK's poll metrics").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .until(this::scrape, s -> s.has("temporal_long_request_total", Map.of("operation", "PollWorkflowTaskQueue"))
                        && s.names().contains("temporal_num_pollers"));
        List<String> problems = new ArrayList<>();
        int selectors = 0;
        Map<String, Object> rules;
        try (Reader reader = Files.newBufferedReader(ALERTS)) {
            rules = new Yaml().load(reader);
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> groups = (List<Map<String, Object>>) rules.get("groups");
        for (Map<String, Object> group : groups) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> list = (List<Map<String, Object>>) group.get("rules");
            for (Map<String, Object> rule : list) {
                String expr = (String) rule.get("expr");
                assertNotNull(expr, "rule " + rule.get("alert") + " has an expression");
                List<PromQl.Selector> found = PromQl.selectors(expr);
                assertFalse(found.isEmpty(), "rule " + rule.get("alert") + " names a metric");
                for (PromQl.Selector selector : found) {
                    selectors++;
                    if (!all.names().contains(selector.metric())) {
                        problems.add(rule.get("alert") + ": " + selector.metric() + " is not exported");
                        continue;
                    }
                    for (String label : selector.labels()) {
                        if (all.samples().stream().noneMatch(s -> s.name().equals(selector.metric()) && s.labels().containsKey(label))) {
                            problems.add(rule.get("alert") + ": " + selector.metric() + " has no label " + label);
                        }
                    }
                }
            }
        }
        assertTrue(selectors >= 8, "the rules were read: " + selectors + " selectors");
        assertEquals(List.of(), problems);
        // and the checker itself refuses a name Cloudplane does not export
        assertFalse(all.names().contains(PromQl.selectors("rate(cloudplane_no_such_metric_total[5m]) > 0").get(0).metric()));
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("cloudplane_x{a=\"b} 1\n"));
    }

    /** The statuses of the PROVISION_ENVIRONMENT operations created since {@code since}. */
    private List<String> provisioningsSince(java.time.Instant since) throws java.sql.SQLException {
        try (var c = io.micronaut.data.connection.jdbc.advice.DelegatingDataSource.unwrapDataSource(dataSource).getConnection();
             var s = c.prepareStatement("SELECT status FROM operations WHERE type = 'PROVISION_ENVIRONMENT' AND created_at >= ?")) {
            s.setObject(1, java.time.OffsetDateTime.ofInstant(since, java.time.ZoneOffset.UTC));
            List<String> statuses = new ArrayList<>();
            try (var r = s.executeQuery()) {
                while (r.next()) {
                    statuses.add(r.getString(1));
                }
            }
            return statuses;
        }
    }

    private String operationsSince(java.time.Instant since) {
        StringBuilder out = new StringBuilder("operations since the test began:");
        try (var c = io.micronaut.data.connection.jdbc.advice.DelegatingDataSource.unwrapDataSource(dataSource).getConnection();
             var s = c.prepareStatement("SELECT id, type, app_id, env_id, status, created_at FROM operations WHERE created_at >= ?")) {
            s.setObject(1, java.time.OffsetDateTime.ofInstant(since, java.time.ZoneOffset.UTC));
            try (var r = s.executeQuery()) {
                while (r.next()) {
                    out.append("\n  ").append(r.getString(1)).append(' ').append(r.getString(2)).append(' ').append(r.getString(3))
                            .append(' ').append(r.getString(4)).append(' ').append(r.getString(5)).append(' ').append(r.getString(6));
                }
            }
        } catch (java.sql.SQLException e) {
            out.append(e);
        }
        return out.toString();
    }

    private static double delta(PrometheusText before, PrometheusText after, String name, Map<String, String> labels) {
        return after.sum(name, labels) - before.sum(name, labels);
    }

    private PrometheusText scrape() {
        return PrometheusText.parse(http.toBlocking().retrieve(HttpRequest.GET("/metrics").bearerAuth(TOKEN)));
    }

    private HttpStatus status(MutableHttpRequest<?> request) {
        try {
            return http.toBlocking().exchange(request, String.class).getStatus();
        } catch (HttpClientResponseException e) {
            return e.getStatus();
        }
    }

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
}
