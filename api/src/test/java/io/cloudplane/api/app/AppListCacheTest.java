package io.cloudplane.api.app;

import io.cloudplane.infra.app.AppListChanges;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code GET /api/v1/apps} serves a kept list only while nothing it was built from changed: a change
 * through the API shows in the caller's very next list, a change written straight into the database
 * (as another process would) shows once PostgreSQL's notification arrives, and while the
 * notifications cannot be heard nothing kept is served. Against the embedded PostgreSQL.
 */
@MicronautTest(transactional = false)
class AppListCacheTest {
    private static final Duration NOTIFIED_WITHIN = Duration.ofSeconds(5);
    @Inject
    @Client("/")
    HttpClient http;
    @Inject
    AppListCache cache;
    @Inject
    AppListChanges changes;
    private final DataSource dataSource;

    @Inject
    AppListCacheTest(DataSource dataSource) {
        // the pool itself: these statements run outside any transaction of Micronaut's, as another process's would
        this.dataSource = DelegatingDataSource.unwrapDataSource(dataSource);
    }

    private record User(UUID id, String token, UUID sandboxId) {
    }

    @Test
    void anUnchangedListIsServedFromTheCacheAndOnlyToItsUser() throws InterruptedException {
        User ada = signUp();
        User bob = signUp();
        awaitListening();
        AppListCache.Counts before = cache.counts();
        byte[] first = listBytes(ada);
        AppListCache.Counts afterFirst = cache.counts();
        byte[] second = listBytes(ada);
        AppListCache.Counts afterSecond = cache.counts();
        assertEquals(before.misses() + 1, afterFirst.misses(), "the first list is read from the database");
        assertEquals(afterFirst.hits() + 1, afterSecond.hits(), "the second, with nothing changed, is not");
        assertArrayEquals(first, second);

        Map<String, Object> bobs = list(bob);
        assertEquals(bob.sandboxId().toString(), sandbox(bobs).get("id"), "Bob gets his own list, not Ada's kept one");
        assertEquals(ada.sandboxId().toString(), sandbox(list(ada)).get("id"));
    }

    @Test
    void whatTheCallerChangesThroughTheApiShowsInTheirNextList() {
        User ada = signUp();
        list(ada);
        for (int i = 0; i < 10; i++) {
            String name = "app-" + i;
            var created = http.toBlocking().exchange(HttpRequest.POST("/api/v1/apps", Map.of("name", name)).bearerAuth(ada.token()),
                    Argument.mapOf(String.class, Object.class));
            assertEquals(HttpStatus.ACCEPTED, created.getStatus());
            // at once, without waiting for the notification
            assertEquals(i + 1, applications(list(ada)).size(), "the list right after creating " + name);
        }
    }

    @Test
    void aChangeWrittenByAnotherProcessShowsOnceItsNotificationArrives() throws Exception {
        User ada = signUp();
        User bob = signUp();
        UUID app = createApp(ada, "shared-one");
        awaitListening();
        sql("insert into app_members (app_id, user_id, role) values (?, ?, 'DEVELOPER')", app, bob.id());
        awaitList(bob, l -> shared(l).size() == 1, "Bob's list shows the app he was added to");
        // kept again once the change's notifications have all arrived (one insert may notify more than once,
        // and a CI run saw the last one land between these two reads): two reads in a row, the second a hit
        long deadline = System.nanoTime() + NOTIFIED_WITHIN.toNanos();
        boolean kept = false;
        while (!kept && System.nanoTime() < deadline) {
            list(bob);
            long hits = cache.counts().hits();
            list(bob);
            kept = cache.counts().hits() == hits + 1;
        }
        assertTrue(kept, "kept while nothing changes: every read after the change's notification was read from the database");

        sql("update apps set name = 'renamed-elsewhere' where id = ?", app);
        awaitList(bob, l -> "renamed-elsewhere".equals(shared(l).get(0).get("name")), "the rename shows");

        sql("delete from app_members where app_id = ? and user_id = ?", app, bob.id());
        awaitList(bob, l -> shared(l).isEmpty(), "the app Bob was removed from leaves his list");
    }

    @Test
    void anEnvironmentsStatusChangeMovesOnlyTheGatewaysGeneration() throws Exception {
        User ada = signUp();
        awaitListening();
        long lists = changes.generation();
        long routes = changes.routeGeneration();
        sql("update environments set status = status where app_id = ?", ada.sandboxId());
        org.awaitility.Awaitility.await("the gateway's generation moves").atMost(NOTIFIED_WITHIN)
                .until(() -> changes.routeGeneration() != routes);
        assertEquals(lists, changes.generation(), "no apps list shows an environment's status: they stay kept");
        long before = changes.routeGeneration();
        sql("update apps set name = name || '-x' where id = ?", ada.sandboxId());
        org.awaitility.Awaitility.await("a list change moves both").atMost(NOTIFIED_WITHIN)
                .until(() -> changes.generation() != lists && changes.routeGeneration() != before);
    }

    @Test
    void changesMadeWhileTheNotificationsWentUnheardShowOnceListeningAgain() throws Exception {
        User ada = signUp();
        UUID app = createApp(ada, "before-the-outage");
        awaitListening();
        list(ada);
        list(ada); // served from the cache from here on

        int terminated = terminateListener();
        assertEquals(1, terminated, "one listening connection in pg_stat_activity");
        // written while the listener is gone or going: its notification is lost
        sql("update apps set name = 'during-the-outage' where id = ?", app);

        awaitList(ada, l -> "during-the-outage".equals(applications(l).get(0).get("name")),
                "a change made while notifications were lost shows once listening again");
        awaitListening();
        list(ada);
        long hits = cache.counts().hits();
        assertEquals("during-the-outage", applications(list(ada)).get(0).get("name"));
        assertEquals(hits + 1, cache.counts().hits(), "kept again once listening again");
    }

    /** The listener starts with the first list read; its start moves the generation once. */
    private void awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + NOTIFIED_WITHIN.toNanos();
        while (changes.generation() == AppListChanges.UNKNOWN) {
            if (System.nanoTime() > deadline) {
                fail("not listening for the apps lists' changes after " + NOTIFIED_WITHIN);
            }
            Thread.sleep(20);
        }
    }

    private int terminateListener() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("select count(*) filter (where pg_terminate_backend(pid)) from pg_stat_activity"
                     + " where application_name = ?")) {
            s.setString(1, AppListChanges.APPLICATION_NAME);
            try (var r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    private void awaitList(User user, Predicate<Map<String, Object>> shows, String what) throws InterruptedException {
        long start = System.nanoTime();
        Map<String, Object> last = null;
        while (System.nanoTime() - start < NOTIFIED_WITHIN.toNanos()) {
            last = list(user);
            if (shows.test(last)) {
                return;
            }
            Thread.sleep(10);
        }
        fail(what + ": not within " + NOTIFIED_WITHIN + "; last list " + last);
    }

    private void sql(String statement, Object... parameters) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(statement)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            assertEquals(1, s.executeUpdate(), statement);
        }
    }

    private User signUp() {
        String email = "lister-" + UUID.randomUUID() + "@example.com";
        var created = http.toBlocking().exchange(HttpRequest.POST("/api/v1/accounts", Map.of("email", email,
                "password", "correct-horse-battery", "firstName", "Ada", "lastName", "Lovelace")), Argument.mapOf(String.class, Object.class));
        assertEquals(HttpStatus.CREATED, created.getStatus());
        @SuppressWarnings("unchecked")
        UUID id = UUID.fromString((String) ((Map<String, Object>) created.body().get("account")).get("id"));
        String token = (String) http.toBlocking().retrieve(HttpRequest.POST("/api/v1/sessions", Map.of("email", email,
                "password", "correct-horse-battery")), Argument.mapOf(String.class, Object.class)).get("accessToken");
        return new User(id, token, UUID.fromString((String) created.body().get("sandboxAppId")));
    }

    private UUID createApp(User user, String name) {
        var created = http.toBlocking().exchange(HttpRequest.POST("/api/v1/apps", Map.of("name", name)).bearerAuth(user.token()),
                Argument.mapOf(String.class, Object.class));
        return UUID.fromString((String) created.body().get("id"));
    }

    private byte[] listBytes(User user) {
        HttpResponse<byte[]> response = http.toBlocking().exchange(HttpRequest.GET("/api/v1/apps").bearerAuth(user.token()), byte[].class);
        assertEquals(MediaType.APPLICATION_JSON_TYPE, response.getContentType().orElseThrow());
        return response.body();
    }

    private Map<String, Object> list(User user) {
        return http.toBlocking().retrieve(HttpRequest.GET("/api/v1/apps").bearerAuth(user.token()), Argument.mapOf(String.class, Object.class));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> sandbox(Map<String, Object> list) {
        return (Map<String, Object>) list.get("sandbox");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> applications(Map<String, Object> list) {
        return (List<Map<String, Object>>) list.get("applications");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> shared(Map<String, Object> list) {
        List<Map<String, Object>> shared = (List<Map<String, Object>>) list.get("shared");
        assertFalse(shared == null, "no shared list in " + list);
        return shared;
    }
}
