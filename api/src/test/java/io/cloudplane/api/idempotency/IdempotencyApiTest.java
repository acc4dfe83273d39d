package io.cloudplane.api.idempotency;

import io.cloudplane.infra.crypto.Sha256;
import io.cloudplane.infra.idempotency.IdempotencyKeyRepository;
import io.micronaut.core.type.Argument;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import io.micronaut.http.HttpMethod;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.web.router.Router;
import io.micronaut.web.router.UriRouteInfo;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code Idempotency-Key} over HTTP, against the embedded PostgreSQL and Temporal (no worker: what
 * is checked is what the API writes and starts). Bodies are sent as exact bytes, since a retry is
 * the same request byte for byte.
 */
@MicronautTest(transactional = false)
class IdempotencyApiTest {
    private static final String KEY = IdempotencyFilter.HEADER;
    @Inject EmbeddedServer server;
    @Inject JsonMapper json;
    @Inject DataSource db;
    @Inject IdempotencyKeyRepository keys;
    @Inject IdempotencyKeyPurge purge;
    @Inject Router router;
    private final HttpClient http = HttpClient.newHttpClient();

    private record Answer(int status, String body, HttpResponse<byte[]> raw) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        Map<String, Object> json(JsonMapper mapper) throws IOException {
            return mapper.readValue(body, Argument.mapOf(String.class, Object.class));
        }
    }

    private Answer post(String path, String token, String key, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.getURL() + path))
                .header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (key != null) {
            request.header(KEY, key);
        }
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Answer(response.statusCode(), new String(response.body()), response);
    }

    private record User(UUID id, String email, String token) {
    }

    private User signUp() throws Exception {
        String email = "idem-" + UUID.randomUUID() + "@example.com";
        Answer created = post("/api/v1/accounts", null, null, accountBody(email));
        assertEquals(201, created.status(), created.body());
        @SuppressWarnings("unchecked")
        UUID id = UUID.fromString((String) ((Map<String, Object>) created.json(json).get("account")).get("id"));
        Answer session = post("/api/v1/sessions", null, null, "{\"email\":\"" + email + "\",\"password\":\"correct-horse-battery\"}");
        assertEquals(200, session.status(), session.body());
        return new User(id, email, (String) session.json(json).get("accessToken"));
    }

    private static String accountBody(String email) {
        return "{\"email\":\"" + email + "\",\"password\":\"correct-horse-battery\",\"firstName\":\"Ada\",\"lastName\":\"Lovelace\"}";
    }

    private long count(String sql, Object... args) throws SQLException {
        try (Connection c = DelegatingDataSource.unwrapDataSource(db).getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private long appsOf(User user) throws SQLException {
        return count("SELECT count(*) FROM apps WHERE owner_id = ?", user.id());
    }

    private long environmentsOf(User user) throws SQLException {
        return count("SELECT count(*) FROM environments e JOIN apps a ON a.id = e.app_id WHERE a.owner_id = ?", user.id());
    }

    private long operationsOf(User user) throws SQLException {
        return count("SELECT count(*) FROM operations o JOIN apps a ON a.id = o.app_id WHERE a.owner_id = ?", user.id());
    }

    private static void assertProblemNamingTheHeader(Answer answer, int status) {
        assertEquals(status, answer.status(), answer.body());
        assertEquals("application/problem+json", answer.header("Content-Type"));
        assertTrue(answer.body().contains("\"field\":\"Idempotency-Key\""), answer.body());
    }

    @Test
    void aRetryWithTheSameKeyAndBodyAnswersTheFirstResponseAndCreatesNothingNew() throws Exception {
        User ada = signUp();
        String key = UUID.randomUUID().toString();
        long appsBefore = appsOf(ada);
        long environmentsBefore = environmentsOf(ada);
        long operationsBefore = operationsOf(ada);

        Answer first = post("/api/v1/apps", ada.token(), key, "{\"name\":\"shop\"}");
        assertEquals(202, first.status(), first.body());
        assertNull(first.header(IdempotencyFilter.REPLAYED_HEADER));
        Map<String, Object> app = first.json(json);
        assertEquals("/api/v1/apps/" + app.get("id"), first.header("Location"));

        for (int i = 0; i < 3; i++) {
            Answer retry = post("/api/v1/apps", ada.token(), key, "{\"name\":\"shop\"}");
            assertEquals(202, retry.status(), retry.body());
            assertArrayEquals(first.raw().body(), retry.raw().body(), "the first response's body, byte for byte");
            assertEquals(first.header("Location"), retry.header("Location"));
            assertEquals(first.header("Content-Type"), retry.header("Content-Type"));
            assertEquals("true", retry.header(IdempotencyFilter.REPLAYED_HEADER));
        }
        assertEquals(appsBefore + 1, appsOf(ada), "one app");
        assertEquals(environmentsBefore + 1, environmentsOf(ada), "one environment");
        assertEquals(operationsBefore + 1, operationsOf(ada), "one operation, so one workflow");

        // Without a key, the same request is a new one: the name is taken.
        assertEquals(409, post("/api/v1/apps", ada.token(), null, "{\"name\":\"shop\"}").status());
    }

    @Test
    void theSameKeyWithAnotherBodyOrPathIs422NamingTheHeaderAndChangesNothing() throws Exception {
        User ada = signUp();
        String key = UUID.randomUUID().toString();
        assertEquals(202, post("/api/v1/apps", ada.token(), key, "{\"name\":\"first\"}").status());
        long apps = appsOf(ada);

        Answer otherBody = post("/api/v1/apps", ada.token(), key, "{\"name\":\"second\"}");
        assertProblemNamingTheHeader(otherBody, 422);
        Answer otherPath = post("/api/v1/tokens", ada.token(), key, "{\"name\":\"first\"}");
        assertProblemNamingTheHeader(otherPath, 422);
        assertEquals(apps, appsOf(ada));
        assertEquals(0, count("SELECT count(*) FROM api_tokens WHERE user_id = ?", ada.id()));
    }

    @Test
    void keysBelongToTheirCallerWhetherSessionOrApiToken() throws Exception {
        User ada = signUp();
        User grace = signUp();
        String key = "shared-" + UUID.randomUUID();
        Answer adas = post("/api/v1/apps", ada.token(), key, "{\"name\":\"shop\"}");
        Answer graces = post("/api/v1/apps", grace.token(), key, "{\"name\":\"shop\"}");
        assertEquals(202, graces.status(), graces.body());
        assertNull(graces.header(IdempotencyFilter.REPLAYED_HEADER), "another user's key is not Grace's");
        assertNotEquals(adas.json(json).get("id"), graces.json(json).get("id"));

        // Ada's API token is Ada: her key answers her first response.
        Answer token = post("/api/v1/tokens", ada.token(), null, "{\"name\":\"ci\",\"expiresInDays\":30}");
        String apiToken = (String) token.json(json).get("token");
        Answer viaToken = post("/api/v1/apps", apiToken, key, "{\"name\":\"shop\"}");
        assertEquals("true", viaToken.header(IdempotencyFilter.REPLAYED_HEADER));
        assertArrayEquals(adas.raw().body(), viaToken.raw().body());
    }

    @Test
    void aKeyThatIsEmptyTooLongOrNotPrintableIs400NamingTheHeader() throws Exception {
        User ada = signUp();
        long apps = appsOf(ada);
        assertProblemNamingTheHeader(post("/api/v1/apps", ada.token(), "k".repeat(256), "{\"name\":\"long\"}"), 400);
        assertProblemNamingTheHeader(post("/api/v1/apps", ada.token(), " ", "{\"name\":\"blank\"}"), 400);
        assertProblemNamingTheHeader(post("/api/v1/apps", ada.token(), "tab\tkey", "{\"name\":\"tabbed\"}"), 400);
        assertEquals(apps, appsOf(ada), "a refused key runs nothing");
        assertEquals(202, post("/api/v1/apps", ada.token(), "k".repeat(255), "{\"name\":\"longest\"}").status());
    }

    @Test
    void aRefusedRequestIsNotKeptSoItsRetryRunsAgain() throws Exception {
        User ada = signUp();
        String key = UUID.randomUUID().toString();
        Answer refused = post("/api/v1/apps", ada.token(), key, "{\"name\":\"Bad Name\"}");
        assertEquals(400, refused.status());
        Answer again = post("/api/v1/apps", ada.token(), key, "{\"name\":\"Bad Name\"}");
        assertEquals(400, again.status());
        assertNull(again.header(IdempotencyFilter.REPLAYED_HEADER), "run again, not replayed");
        Answer fixed = post("/api/v1/apps", ada.token(), key, "{\"name\":\"good-name\"}");
        assertEquals(202, fixed.status(), "the key is free for the corrected request: " + fixed.body());
    }

    @Test
    void aRetryWhileTheFirstRequestRunsIs409AndOneLeftByADeadProcessIsTakenOverLater() throws Exception {
        User ada = signUp();
        String body = "{\"name\":\"inflight\"}";
        String fingerprint = Sha256.hex("POST /api/v1/apps\n" + body);
        String key = UUID.randomUUID().toString();
        keys.claim(UUID.randomUUID(), ada.id().toString(), key, fingerprint, Instant.now());

        Answer running = post("/api/v1/apps", ada.token(), key, body);
        assertEquals(409, running.status(), running.body());
        assertEquals("application/problem+json", running.header("Content-Type"));
        assertEquals("1", running.header("Retry-After"));
        assertEquals(0, count("SELECT count(*) FROM apps WHERE owner_id = ? AND name = 'inflight'", ada.id()));

        String abandoned = UUID.randomUUID().toString();
        keys.claim(UUID.randomUUID(), ada.id().toString(), abandoned, fingerprint, Instant.now().minus(Duration.ofMinutes(2)));
        Answer takenOver = post("/api/v1/apps", ada.token(), abandoned, body);
        assertEquals(202, takenOver.status(), takenOver.body());
        assertEquals("true", post("/api/v1/apps", ada.token(), abandoned, body).header(IdempotencyFilter.REPLAYED_HEADER));
    }

    @Test
    void concurrentRetriesCreateOneThing() throws Exception {
        User ada = signUp();
        String key = UUID.randomUUID().toString();
        long apps = appsOf(ada);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Answer>> tries = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                tries.add(() -> post("/api/v1/apps", ada.token(), key, "{\"name\":\"burst\"}"));
            }
            List<Answer> answers = new ArrayList<>();
            for (Future<Answer> f : pool.invokeAll(tries)) {
                answers.add(f.get());
            }
            byte[] created = null;
            for (Answer a : answers) {
                assertTrue(a.status() == 202 || a.status() == 409, a.status() + " " + a.body());
                if (a.status() == 202) {
                    if (created == null) {
                        created = a.raw().body();
                    }
                    assertArrayEquals(created, a.raw().body(), "every 202 is the one response");
                } else {
                    assertTrue(a.body().contains("still running"), a.body());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(apps + 1, appsOf(ada));
    }

    @Test
    void signUpIsKeptForTheAnonymousCallerAndOnlyTheSameBodyGetsItsAnswer() throws Exception {
        String email = "idem-anon-" + UUID.randomUUID() + "@example.com";
        String key = UUID.randomUUID().toString();
        Answer first = post("/api/v1/accounts", null, key, accountBody(email));
        assertEquals(201, first.status(), first.body());
        Answer retry = post("/api/v1/accounts", null, key, accountBody(email));
        assertEquals(201, retry.status(), retry.body());
        assertArrayEquals(first.raw().body(), retry.raw().body());
        assertEquals(first.header("Location"), retry.header("Location"));
        assertEquals(1, count("SELECT count(*) FROM users WHERE lower(email) = lower(?)", email));
        assertProblemNamingTheHeader(post("/api/v1/accounts", null, key, accountBody("other-" + email)), 422);
    }

    @Test
    void keysAreForgottenAfterTheirRetentionAndThenTheRequestRunsAgain() throws Exception {
        User ada = signUp();
        String key = UUID.randomUUID().toString();
        String body = "{\"name\":\"ci\",\"expiresInDays\":30}";
        Answer first = post("/api/v1/tokens", ada.token(), key, body);
        assertEquals(201, first.status(), first.body());
        assertEquals("true", post("/api/v1/tokens", ada.token(), key, body).header(IdempotencyFilter.REPLAYED_HEADER));
        assertEquals(1, count("SELECT count(*) FROM api_tokens WHERE user_id = ?", ada.id()));
        assertFalse(keys.find(ada.id().toString(), key).orElseThrow().responseBody().contains("cpt_"), "the kept body is sealed");

        // 24 hours and a minute later, a retry is a new request (the key is forgotten as it is found).
        age(ada, key, Duration.ofHours(24).plusMinutes(1));
        Answer late = post("/api/v1/tokens", ada.token(), key, body);
        assertEquals(201, late.status());
        assertNull(late.header(IdempotencyFilter.REPLAYED_HEADER));
        assertNotEquals(first.json(json).get("id"), late.json(json).get("id"));
        assertEquals(2, count("SELECT count(*) FROM api_tokens WHERE user_id = ?", ada.id()));

        // The hourly purge forgets old keys and keeps young ones.
        String young = UUID.randomUUID().toString();
        assertEquals(201, post("/api/v1/tokens", ada.token(), young, "{\"name\":\"young\",\"expiresInDays\":30}").status());
        age(ada, key, Duration.ofHours(23));
        purge.purge(Instant.now());
        assertTrue(keys.find(ada.id().toString(), key).isPresent(), "23 hours old: kept");
        age(ada, key, Duration.ofHours(25));
        assertTrue(purge.purge(Instant.now()) >= 1);
        assertTrue(keys.find(ada.id().toString(), key).isEmpty(), "25 hours old: purged");
        assertTrue(keys.find(ada.id().toString(), young).isPresent(), "a young key is kept");
    }

    private void age(User user, String key, Duration age) throws SQLException {
        try (Connection c = DelegatingDataSource.unwrapDataSource(db).getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE idempotency_keys SET created_at = ? WHERE caller = ? AND idempotency_key = ?")) {
            s.setObject(1, java.sql.Timestamp.from(Instant.now().minus(age)));
            s.setString(2, user.id().toString());
            s.setString(3, key);
            assertEquals(1, s.executeUpdate());
        }
    }

    /**
     * The filter covers every POST of Cloudplane's controllers, and any added later, as long as it is
     * under /api (Micronaut Security's own endpoints, such as /token_info, are not Cloudplane's). The
     * one exception is the gateway's sign-in form ({@code POST /gateway/sign-in}): a browser posts it,
     * and sends no key; a repeated post signs in again, with a new one-time link. The console's forms
     * (package {@code api.console}) are the other browser posts: each carries a CSRF token and no key
     * (console.ConsoleRoutesTest posts to every one of them without its token and sees 403), and a repeated
     * post does no harm (a second sign-in or sign-up, a second sign-out, a create of a name now taken
     * answers its 409, a second Studio link; each action form calls the API's own service, whose rules
     * answer a repeat).
     */
    @Test
    void everyPostRouteIsUnderTheFiltersPattern() {
        List<String> consoleForms = router.uriRoutes()
                .filter(r -> r.getHttpMethod() == HttpMethod.POST)
                .filter(r -> r.getDeclaringType().getPackageName().equals("io.cloudplane.api.console"))
                .map(r -> r.getUriMatchTemplate().toString())
                .distinct() // a route is listed once per way it is matched
                .sorted()
                .toList();
        assertTrue(consoleForms.containsAll(List.of("/apps", "/apps/{appId}/environments/{envId}/studio", "/sign-in", "/sign-out",
                "/sign-up")), "the console's form posts: " + consoleForms);
        List<String> posts = router.uriRoutes()
                .filter(r -> r.getHttpMethod() == HttpMethod.POST)
                .filter(r -> r.getDeclaringType().getPackageName().startsWith("io.cloudplane."))
                .filter(r -> !r.getDeclaringType().getPackageName().equals("io.cloudplane.api.console"))
                .map(UriRouteInfo::getUriMatchTemplate)
                .map(Object::toString)
                .toList();
        assertTrue(posts.size() >= 15, "the router lists the POST routes: " + posts);
        for (String path : posts) {
            if (path.equals("/gateway/sign-in")) {
                continue;
            }
            assertTrue(path.startsWith("/api/"), path + " is a POST outside /api/**, which the Idempotency-Key filter does not see");
        }
    }
}
