package io.cloudplane.api.environment;

import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.environment.EnvironmentRecord.EnvironmentAccess;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.ActivityLogRecord;
import io.cloudplane.infra.operation.ActivityLogRepository;
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

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code PATCH …/environments/{envId}} with {@code access}: the owner's alone, checked, shown, logged. */
@MicronautTest(transactional = false)
class EnvironmentAccessApiTest {
    private static final String PASSWORD = "correct-horse-battery";
    @Inject @Client("/") HttpClient http;
    @Inject EnvironmentRepository environments;
    @Inject AppMemberRepository members;
    @Inject ActivityLogRepository activityLog;

    private record User(UUID id, String token) {
    }

    @Test
    void theOwnerOpensAMembersEnvironmentToThePublicAndBack() {
        User owner = signUp();
        var created = call(HttpRequest.POST("/api/v1/apps", Map.of("name", "acc-" + UUID.randomUUID().toString().substring(0, 8))), owner);
        assertEquals(HttpStatus.ACCEPTED, created.getStatus(), String.valueOf(created.body()));
        UUID appId = UUID.fromString((String) created.body().get("id"));
        UUID envId = UUID.fromString((String) ((Map<?, ?>) created.body().get("operation")).get("envId"));
        String path = "/api/v1/apps/" + appId + "/environments/" + envId;
        assertEquals("members", call(HttpRequest.GET(path), owner).body().get("access"), "development starts members-only");

        var opened = call(HttpRequest.PATCH(path, Map.of("access", "public")), owner);
        assertEquals(HttpStatus.OK, opened.getStatus(), String.valueOf(opened.body()));
        assertEquals("public", opened.body().get("access"));
        assertEquals(envId.toString(), opened.body().get("id"));
        assertEquals(EnvironmentAccess.PUBLIC, environments.findById(envId).orElseThrow().access());
        assertEquals(HttpStatus.OK, call(HttpRequest.PATCH(path, Map.of("access", "public")), owner).getStatus(), "the same again: no change");
        assertEquals("members", call(HttpRequest.PATCH(path, Map.of("access", "members")), owner).body().get("access"));

        List<ActivityLogRecord> entries = activityLog.findAll().stream()
                .filter(e -> envId.equals(e.envId()) && e.action().equals(EnvironmentAccessController.ACTION)).toList();
        assertEquals(List.of("members → public", "public → members"),
                entries.stream().sorted(java.util.Comparator.comparing(ActivityLogRecord::id)).map(ActivityLogRecord::detail).toList(),
                "one entry per change, none for a PATCH that changed nothing");
        assertTrue(entries.stream().allMatch(e -> owner.id().equals(e.actorUserId())));

        for (Object bad : List.of("everyone", "PUBLIC ", "", 7)) {
            var refused = call(HttpRequest.PATCH(path, Map.of("access", bad)), owner);
            assertEquals(HttpStatus.BAD_REQUEST, refused.getStatus(), bad + ": " + refused.body());
            assertTrue(String.valueOf(refused.body().get("errors")).contains("access"), "names the field: " + refused.body());
        }
        assertEquals(HttpStatus.BAD_REQUEST, call(HttpRequest.PATCH(path, Map.of()), owner).getStatus(), "access is required");
        assertEquals(HttpStatus.BAD_REQUEST, call(HttpRequest.PATCH(path, Map.of("access", "public", "acess", "x")), owner).getStatus());

        User developer = signUp();
        members.save(AppMemberRecord.of(appId, developer.id(), AppMemberRecord.Role.DEVELOPER));
        assertEquals(HttpStatus.FORBIDDEN, call(HttpRequest.PATCH(path, Map.of("access", "public")), developer).getStatus());
        assertEquals(HttpStatus.NOT_FOUND, call(HttpRequest.PATCH(path, Map.of("access", "public")), signUp()).getStatus());
        assertEquals(EnvironmentAccess.MEMBERS, environments.findById(envId).orElseThrow().access(), "refusals changed nothing");
    }

    private User signUp() {
        String email = "access-" + UUID.randomUUID() + "@example.com";
        var created = http.toBlocking().exchange(HttpRequest.POST("/api/v1/accounts", Map.of("email", email, "password", PASSWORD,
                "firstName", "Ada", "lastName", "Access")), Argument.mapOf(String.class, Object.class));
        UUID id = UUID.fromString((String) ((Map<?, ?>) created.body().get("account")).get("id"));
        String token = (String) http.toBlocking().exchange(HttpRequest.POST("/api/v1/sessions", Map.of("email", email, "password", PASSWORD)),
                Argument.mapOf(String.class, Object.class)).body().get("accessToken");
        return new User(id, token);
    }

    private HttpResponse<Map<String, Object>> call(MutableHttpRequest<?> request, User user) {
        request.bearerAuth(user.token());
        try {
            return http.toBlocking().exchange(request, Argument.mapOf(String.class, Object.class));
        } catch (HttpClientResponseException e) {
            Map<String, Object> body = e.getResponse().getBody(Argument.mapOf(String.class, Object.class)).orElse(Map.of());
            return HttpResponse.<Map<String, Object>>status(e.getStatus()).body(body);
        }
    }
}
