package io.cloudplane.worker;

import io.cloudplane.infra.config.CdsTraining;
import io.micronaut.context.annotation.Property;
import io.micronaut.core.type.Argument;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /api/v1/apps} sends as many statements to the database for 100 apps as for one. The
 * context runs without its background jobs (the CDS training start's environment: no reconciler,
 * recovery, metrics or server supervisor, no polling worker), so every statement counted while a
 * request runs is the request's; the smallest of three counts is taken, since noise only adds.
 * The kept lists of {@code api.app.AppListCache} are off here: what is counted is the read from the
 * database that a changed list takes (a kept one takes none; AppListCacheTest checks that).
 */
@MicronautTest(transactional = false, environments = CdsTraining.ENVIRONMENT)
@Property(name = "micronaut.http.client.read-timeout", value = "60s") // a sign-up starts a workflow, slow on a busy machine
@Property(name = "cloudplane.app-list-cache.enabled", value = "false")
class AppListQueriesIT {
    private static final int MAX_STATEMENTS = 3;
    @Inject
    @Client("/")
    HttpClient http;
    @Inject
    DataSource dataSource;
    private final QueryCounter counter = QueryCounter.install();

    @Test
    @SuppressWarnings("unchecked")
    void listingAppsTakesAsManyStatementsForAHundredAppsAsForOne() throws Exception {
        String token = signUp("lister");
        UUID lister = userId(token);
        UUID other = userId(signUp("other"));
        insertApps(lister, "mine-", 1);
        // One app of another owner where the lister develops, one where the lister is an end user of staging.
        UUID developed = insertApps(other, "developed-", 1).get(0);
        member(developed, lister, "DEVELOPER");
        UUID used = insertApps(other, "used-", 1).get(0);
        endUser(environment(used), lister);

        int forOne = fewestStatements(token, 1);
        insertApps(lister, "more-", 99);
        int forHundred = fewestStatements(token, 100);

        assertTrue(forOne >= 1, "no statement counted: the counter does not see Cloudplane's data source");
        assertTrue(forOne <= MAX_STATEMENTS, "GET /apps took " + forOne + " statements for one app");
        assertEquals(forOne, forHundred, "statements for 1 app vs 100 apps");
    }

    /** The fewest statements of three lists, each checked for its content. */
    @SuppressWarnings("unchecked")
    private int fewestStatements(String token, int applications) {
        int fewest = Integer.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            Map<String, Object>[] body = new Map[1];
            int statements = counter.during(() -> body[0] = http.toBlocking()
                    .retrieve(HttpRequest.GET("/api/v1/apps").bearerAuth(token), Argument.mapOf(String.class, Object.class)));
            List<Map<String, Object>> owned = (List<Map<String, Object>>) body[0].get("applications");
            List<Map<String, Object>> shared = (List<Map<String, Object>>) body[0].get("shared");
            assertEquals(applications, owned.size(), String.valueOf(body[0]));
            assertTrue(owned.stream().allMatch(a -> "owner".equals(a.get("role"))), String.valueOf(owned));
            // the app where the lister is an end user is not in the control plane's list (issue 13)
            assertEquals(List.of("developer"), shared.stream().map(a -> a.get("role")).sorted().toList());
            assertNotNull(body[0].get("sandbox"), "the sandbox of the sign-up");
            fewest = Math.min(fewest, statements);
        }
        return fewest;
    }

    private String signUp(String prefix) {
        String email = prefix + "-" + UUID.randomUUID() + "@example.com";
        var created = http.toBlocking().exchange(HttpRequest.POST("/api/v1/accounts", Map.of("email", email,
                "password", "correct-horse-battery", "firstName", "Q", "lastName", "C")));
        assertEquals(HttpStatus.CREATED, created.getStatus());
        return (String) http.toBlocking().retrieve(HttpRequest.POST("/api/v1/sessions", Map.of("email", email,
                "password", "correct-horse-battery")), Argument.mapOf(String.class, Object.class)).get("accessToken");
    }

    private UUID userId(String token) {
        // the session token's subject
        String payload = new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        var matcher = java.util.regex.Pattern.compile("\"sub\"\\s*:\\s*\"([^\"]+)\"").matcher(payload);
        assertTrue(matcher.find(), payload);
        return UUID.fromString(matcher.group(1));
    }

    private List<UUID> insertApps(UUID owner, String prefix, int count) throws SQLException {
        List<UUID> ids = IntStream.range(0, count).mapToObj(i -> UUID.randomUUID()).toList();
        Timestamp now = Timestamp.from(Instant.now());
        try (Connection c = DelegatingDataSource.unwrapDataSource(dataSource).getConnection();
             PreparedStatement app = c.prepareStatement("insert into apps (id, owner_id, name, kind, status, created_at, updated_at)"
                     + " values (?, ?, ?, 'APPLICATION', 'ACTIVE', ?, ?)");
             PreparedStatement member = c.prepareStatement("insert into app_members (app_id, user_id, role) values (?, ?, 'OWNER')")) {
            for (int i = 0; i < count; i++) {
                app.setObject(1, ids.get(i));
                app.setObject(2, owner);
                app.setString(3, prefix + i);
                app.setTimestamp(4, now);
                app.setTimestamp(5, now);
                app.addBatch();
                member.setObject(1, ids.get(i));
                member.setObject(2, owner);
                member.addBatch();
            }
            app.executeBatch();
            member.executeBatch();
        }
        return ids;
    }

    private void member(UUID app, UUID user, String role) throws SQLException {
        update("insert into app_members (app_id, user_id, role) values (?, ?, ?)", app, user, role);
    }

    private UUID environment(UUID app) throws SQLException {
        UUID id = UUID.randomUUID();
        Timestamp now = Timestamp.from(Instant.now());
        update("insert into environments (id, app_id, name, type, status, server_version, db_name, created_at, updated_at)"
                + " values (?, ?, 'staging', 'STAGING', 'RUNNING', '1.0.0', ?, ?, ?)", id, app, "env_" + id.toString().replace("-", ""), now, now);
        return id;
    }

    private void endUser(UUID env, UUID user) throws SQLException {
        update("insert into environment_users (env_id, user_id) values (?, ?)", env, user);
    }

    private void update(String sql, Object... values) throws SQLException {
        try (Connection c = DelegatingDataSource.unwrapDataSource(dataSource).getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                s.setObject(i + 1, values[i]);
            }
            s.executeUpdate();
        }
    }
}
