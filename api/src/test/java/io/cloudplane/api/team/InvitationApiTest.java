package io.cloudplane.api.team;

import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.environment.EnvironmentUserRecord;
import io.cloudplane.infra.environment.EnvironmentUserRepository;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.operation.ActivityLogRepository;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.infra.team.InvitationRecord;
import io.cloudplane.infra.team.InvitationRepository;
import io.cloudplane.infra.team.InvitationTokens;
import io.cloudplane.infra.team.MembershipChangedEvent;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.http.client.exceptions.HttpClientResponseException;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invitations over HTTP against the embedded PostgreSQL and Temporal, without a worker: the
 * invitation's workflow is started but its email is not sent here, so each test gives the row a token
 * it knows (what the workflow's activity does with a random one). Every refusal changes nothing.
 */
@MicronautTest(transactional = false)
class InvitationApiTest {
    @Inject
    @Client("/")
    HttpClient http;
    @Inject InvitationRepository invitations;
    @Inject AppMemberRepository members;
    @Inject EnvironmentUserRepository environmentUsers;
    @Inject ActivityLogRepository activityLog;
    @Inject MembershipEvents events;
    @Inject OperationRepository operations;
    @Inject EnvironmentRepository environmentRecords;
    @Inject EnvironmentFiles files;

    /** Keeps the membership events the API publishes. */
    @Singleton
    static class MembershipEvents implements ApplicationEventListener<MembershipChangedEvent> {
        final List<MembershipChangedEvent> seen = new CopyOnWriteArrayList<>();

        @Override
        public void onApplicationEvent(MembershipChangedEvent event) {
            seen.add(event);
        }
    }

    private record User(UUID id, String email, String token) {
    }

    private record App(UUID id, UUID development) {
    }

    @SuppressWarnings("unchecked")
    private HttpResponse<Map<String, Object>> call(MutableHttpRequest<?> request, User user) {
        if (user != null) {
            request.bearerAuth(user.token());
        }
        try {
            return http.toBlocking().exchange(request, Argument.mapOf(String.class, Object.class));
        } catch (HttpClientResponseException e) {
            HttpResponse<Map<String, Object>> response = (HttpResponse<Map<String, Object>>) e.getResponse();
            Map<String, Object> body = e.getResponse().getBody(Argument.mapOf(String.class, Object.class)).orElse(Map.of());
            return HttpResponse.<Map<String, Object>>status(response.getStatus()).headers(h -> response.getHeaders()
                    .forEach((name, values) -> values.forEach(v -> h.add(name, v)))).body(body);
        }
    }

    private static Map<String, Object> assertProblem(HttpResponse<Map<String, Object>> response, HttpStatus status) {
        assertEquals(status, response.getStatus(), String.valueOf(response.getBody().orElse(null)));
        assertEquals("application/problem+json", response.getContentType().map(MediaType::toString).orElse(""));
        assertNotNull(response.body().get("detail"));
        return response.body();
    }

    @SuppressWarnings("unchecked")
    private static String errorField(HttpResponse<Map<String, Object>> response) {
        List<Map<String, Object>> errors = (List<Map<String, Object>>) response.body().get("errors");
        assertNotNull(errors, String.valueOf(response.body()));
        return (String) errors.get(0).get("field");
    }

    private static String newEmail(String who) {
        return who + "-" + UUID.randomUUID() + "@example.com";
    }

    private User signUp(String who) {
        return signUp(newEmail(who), null);
    }

    @SuppressWarnings("unchecked")
    private User signUp(String email, String invitationToken) {
        Map<String, Object> body = new HashMap<>(Map.of("email", email, "password", "correct-horse-battery", "firstName", "Ada",
                "lastName", "Lovelace"));
        if (invitationToken != null) {
            body.put("invitationToken", invitationToken);
        }
        var created = call(HttpRequest.POST("/api/v1/accounts", body), null);
        assertEquals(HttpStatus.CREATED, created.getStatus(), String.valueOf(created.body()));
        UUID id = UUID.fromString((String) ((Map<String, Object>) created.body().get("account")).get("id"));
        String token = (String) call(HttpRequest.POST("/api/v1/sessions", Map.of("email", email, "password", "correct-horse-battery")),
                null).body().get("accessToken");
        return new User(id, email, token);
    }

    @SuppressWarnings("unchecked")
    private App createApp(User owner) {
        var created = call(HttpRequest.POST("/api/v1/apps", Map.of("name", "team-" + UUID.randomUUID().toString().substring(0, 8))), owner);
        assertEquals(HttpStatus.ACCEPTED, created.getStatus(), String.valueOf(created.body()));
        Map<String, Object> op = (Map<String, Object>) created.body().get("operation");
        return new App(UUID.fromString((String) op.get("appId")), UUID.fromString((String) op.get("envId")));
    }

    private UUID addEnvironment(User owner, App app, String type) {
        var created = call(HttpRequest.POST("/api/v1/apps/" + app.id() + "/environments", Map.of("name", type + "-env", "type", type)), owner);
        assertEquals(HttpStatus.ACCEPTED, created.getStatus(), String.valueOf(created.body()));
        return UUID.fromString((String) created.body().get("id"));
    }

    private static String members(App app, UUID envId) {
        return "/api/v1/apps/" + app.id() + "/environments/" + envId + "/members";
    }

    private HttpResponse<Map<String, Object>> invite(User by, App app, UUID envId, String email, String profile) {
        return call(HttpRequest.POST(members(app, envId), Map.of("email", email, "firstName", "Grace", "lastName", "Hopper",
                "profile", profile)), by);
    }

    /** Gives the invitation a token the test knows, as the workflow's email activity does with a random one. */
    private String tokenFor(UUID invitationId) {
        InvitationRecord row = invitations.findById(invitationId).orElseThrow();
        String token = InvitationTokens.newToken();
        assertEquals(1, invitations.setToken(invitationId, row.expiresAt(), InvitationTokens.sha256(token)));
        return token;
    }

    private List<String> actions(UUID envId) {
        return activityLog.findPage(envId, Long.MAX_VALUE, 100).stream().map(r -> r.action()).toList();
    }

    @Test
    void theOwnerInvitesADeveloperAndGetsThePendingInvitationWithoutItsToken() {
        User owner = signUp("owner");
        App app = createApp(owner);
        String email = newEmail("grace");
        Instant before = Instant.now();
        var created = invite(owner, app, app.development(), email, "USER");

        assertEquals(HttpStatus.CREATED, created.getStatus(), String.valueOf(created.body()));
        Map<String, Object> body = created.body();
        UUID id = UUID.fromString((String) body.get("id"));
        assertEquals(members(app, app.development()) + "/invitations/" + id, created.getHeaders().get("Location"));
        assertEquals(email, body.get("email"));
        assertEquals("Grace", body.get("firstName"));
        assertEquals("user", body.get("profile"), "the application's spelling of the profile");
        assertEquals("DEVELOPER", body.get("kind"));
        assertEquals("PENDING", body.get("status"));
        Instant expiresAt = Instant.parse((String) body.get("expiresAt"));
        assertTrue(!expiresAt.isBefore(before.plus(Duration.ofDays(7)).minusSeconds(1))
                && expiresAt.isBefore(Instant.now().plus(Duration.ofDays(7)).plusSeconds(1)), "7 days: " + expiresAt);
        assertFalse(body.containsKey("token") || body.containsKey("tokenSha256"), "never the token: " + body);
        assertEquals(64, invitations.findById(id).orElseThrow().tokenSha256().length());

        var list = call(HttpRequest.GET(members(app, app.development())), owner);
        assertEquals(HttpStatus.OK, list.getStatus());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> people = (List<Map<String, Object>>) list.body().get("members");
        assertEquals(1, people.size());
        assertEquals(owner.id().toString(), people.get(0).get("userId"));
        assertEquals("developer", people.get(0).get("kind"));
        assertEquals("owner", people.get(0).get("role"));
        assertEquals(owner.email(), people.get(0).get("email"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> pending = (List<Map<String, Object>>) list.body().get("invitations");
        assertEquals(List.of(id.toString()), pending.stream().map(i -> i.get("id")).toList());
        assertTrue(actions(app.development()).contains("member-invited"));
    }

    @Test
    void whereThereIsNoInviteServiceTheInviteIs422AndNothingIsStored() {
        User owner = signUp("owner");
        UUID sandboxId = UUID.fromString((String) ((Map<?, ?>) call(HttpRequest.GET("/api/v1/apps"), owner).body().get("sandbox")).get("id"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> envs = (List<Map<String, Object>>) call(HttpRequest.GET("/api/v1/apps/" + sandboxId + "/environments"),
                owner).body().get("items");
        App sandbox = new App(sandboxId, UUID.fromString((String) envs.get(0).get("id")));
        String email = newEmail("grace");
        Map<String, Object> problem = assertProblem(invite(owner, sandbox, sandbox.development(), email, "user"),
                HttpStatus.UNPROCESSABLE_ENTITY);
        assertTrue(((String) problem.get("detail")).contains("sandbox"), String.valueOf(problem));
        assertEquals(List.of(), invitations.findPending(sandbox.development()));
    }

    @Test
    void badInputIs400NamingTheFieldAndChangesNothing() {
        User owner = signUp("owner");
        App app = createApp(owner);
        String path = members(app, app.development());
        var badEmail = invite(owner, app, app.development(), "not-an-email", "user");
        assertProblem(badEmail, HttpStatus.BAD_REQUEST);
        assertEquals("email", errorField(badEmail));
        var noName = call(HttpRequest.POST(path, Map.of("email", newEmail("g"), "lastName", "Hopper", "profile", "user")), owner);
        assertProblem(noName, HttpStatus.BAD_REQUEST);
        assertEquals("firstName", errorField(noName));
        var blankLast = call(HttpRequest.POST(path, Map.of("email", newEmail("g"), "firstName", "G", "lastName", " ", "profile", "user")),
                owner);
        assertProblem(blankLast, HttpStatus.BAD_REQUEST);
        assertEquals("lastName", errorField(blankLast));
        var unknownProfile = invite(owner, app, app.development(), newEmail("g"), "Manager");
        Map<String, Object> problem = assertProblem(unknownProfile, HttpStatus.BAD_REQUEST);
        assertEquals("profile", errorField(unknownProfile));
        assertTrue(((String) problem.get("detail")).contains("user"), "lists the valid profiles: " + problem);
        assertEquals(List.of(), invitations.findPending(app.development()));
        assertFalse(actions(app.development()).contains("member-invited"));
    }

    @Test
    void invitingYourselfAMemberOrSomeoneWithAPendingInvitationIs409() {
        User owner = signUp("owner");
        User developer = signUp("dev");
        App app = createApp(owner);
        members.save(AppMemberRecord.of(app.id(), developer.id(), AppMemberRecord.Role.DEVELOPER));
        assertProblem(invite(owner, app, app.development(), owner.email().toUpperCase(), "user"), HttpStatus.CONFLICT);
        assertProblem(invite(owner, app, app.development(), developer.email(), "user"), HttpStatus.CONFLICT);
        String email = newEmail("grace");
        assertEquals(HttpStatus.CREATED, invite(owner, app, app.development(), email, "user").getStatus());
        Map<String, Object> again = assertProblem(invite(developer, app, app.development(), email.toUpperCase(), "user"), HttpStatus.CONFLICT);
        assertTrue(((String) again.get("detail")).contains("resend"), String.valueOf(again));
        assertEquals(1, invitations.findPending(app.development()).size());
    }

    @Test
    void developersInviteInDevelopmentAndStagingOnlyTheOwnerInProductionEndUsersAndStrangersNot() {
        User owner = signUp("owner");
        User developer = signUp("dev");
        User endUser = signUp("end");
        User stranger = signUp("stranger");
        App app = createApp(owner);
        UUID staging = addEnvironment(owner, app, "staging");
        UUID production = addEnvironment(owner, app, "production");
        members.save(AppMemberRecord.of(app.id(), developer.id(), AppMemberRecord.Role.DEVELOPER));
        environmentUsers.save(EnvironmentUserRecord.of(staging, endUser.id()));

        var toStaging = invite(developer, app, staging, newEmail("s"), "user");
        assertEquals(HttpStatus.CREATED, toStaging.getStatus(), String.valueOf(toStaging.body()));
        assertEquals("USER", toStaging.body().get("kind"));
        assertEquals(HttpStatus.CREATED, invite(developer, app, app.development(), newEmail("d"), "user").getStatus());
        assertProblem(invite(developer, app, production, newEmail("p"), "user"), HttpStatus.FORBIDDEN);
        var byOwner = invite(owner, app, production, newEmail("p"), "user");
        assertEquals(HttpStatus.CREATED, byOwner.getStatus());
        assertEquals("USER", byOwner.body().get("kind"));
        assertProblem(invite(endUser, app, staging, newEmail("e"), "user"), HttpStatus.FORBIDDEN);
        assertProblem(invite(stranger, app, staging, newEmail("x"), "user"), HttpStatus.NOT_FOUND);
        assertProblem(call(HttpRequest.GET(members(app, staging)), endUser), HttpStatus.FORBIDDEN);
        assertProblem(call(HttpRequest.GET(members(app, staging)), stranger), HttpStatus.NOT_FOUND);
        assertEquals(HttpStatus.OK, call(HttpRequest.GET(members(app, staging)), developer).getStatus());
        assertEquals(1, invitations.findPending(production).size());
    }

    @Test
    void theInviteeSeesTheInvitationAndAcceptsItOnceWithTheAccountOfItsEmail() {
        User owner = signUp("owner");
        App app = createApp(owner);
        String email = newEmail("grace");
        User grace = signUp(email, null);
        User other = signUp("other");
        UUID id = UUID.fromString((String) invite(owner, app, app.development(), email, "user").body().get("id"));
        String token = tokenFor(id);

        var shown = call(HttpRequest.GET("/api/v1/invitations/" + token), null);
        assertEquals(HttpStatus.OK, shown.getStatus(), String.valueOf(shown.body()));
        assertEquals(Map.of("appName", shown.body().get("appName"), "environmentName", "development", "inviterName", "Ada Lovelace",
                "profile", "user", "kind", "DEVELOPER", "email", email, "status", "PENDING",
                "expiresAt", shown.body().get("expiresAt")), shown.body(), "nothing else");
        assertProblem(call(HttpRequest.GET("/api/v1/invitations/" + InvitationTokens.newToken()), null), HttpStatus.NOT_FOUND);
        assertProblem(call(HttpRequest.POST("/api/v1/invitations/" + token + "/accept", ""), null), HttpStatus.UNAUTHORIZED);
        Map<String, Object> wrong = assertProblem(call(HttpRequest.POST("/api/v1/invitations/" + token + "/accept", ""), other),
                HttpStatus.FORBIDDEN);
        assertTrue(((String) wrong.get("detail")).contains(email), "names the email it is for: " + wrong);
        assertTrue(members.findById(new AppMemberRecord.Key(app.id(), other.id())).isEmpty());

        var accepted = call(HttpRequest.POST("/api/v1/invitations/" + token + "/accept", ""), grace);
        assertEquals(HttpStatus.OK, accepted.getStatus(), String.valueOf(accepted.body()));
        assertEquals(app.id().toString(), accepted.body().get("appId"));
        AppMemberRecord member = members.findById(new AppMemberRecord.Key(app.id(), grace.id())).orElseThrow();
        assertEquals(AppMemberRecord.Role.DEVELOPER, member.role());
        assertEquals("user", member.profile());
        assertEquals(InvitationRecord.Status.ACCEPTED, invitations.findById(id).orElseThrow().status());
        assertTrue(events.seen.contains(new MembershipChangedEvent(app.id(), null, grace.id(), MembershipChangedEvent.Change.ADDED)),
                String.valueOf(events.seen));
        assertTrue(actions(app.development()).contains("invitation-accepted"));

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> shared = (List<Map<String, Object>>) call(HttpRequest.GET("/api/v1/apps"), grace).body().get("shared");
        assertEquals(List.of(app.id().toString()), shared.stream().map(a -> a.get("id")).toList());
        assertEquals("developer", shared.get(0).get("role"));

        assertProblem(call(HttpRequest.POST("/api/v1/invitations/" + token + "/accept", ""), grace), HttpStatus.GONE);
        assertProblem(call(HttpRequest.GET("/api/v1/invitations/" + token), null), HttpStatus.GONE);
        var list = call(HttpRequest.GET(members(app, app.development())), owner).body();
        assertEquals(List.of(), list.get("invitations"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> people = (List<Map<String, Object>>) list.get("members");
        Map<String, Object> listed = people.stream().filter(p -> grace.id().toString().equals(p.get("userId"))).findFirst().orElseThrow();
        assertEquals("developer", listed.get("kind"));
        assertEquals("developer", listed.get("role"));
        assertEquals("user", listed.get("profile"));
    }

    @Test
    void anExpiredOrRevokedInvitationIs410AndAResendReplacesTheToken() {
        User owner = signUp("owner");
        App app = createApp(owner);
        UUID staging = addEnvironment(owner, app, "staging");
        String email = newEmail("grace");
        User grace = signUp(email, null);
        UUID id = UUID.fromString((String) invite(owner, app, staging, email, "user").body().get("id"));
        String first = tokenFor(id);

        var resent = call(HttpRequest.POST(members(app, staging) + "/invitations/" + id + "/resend", ""), owner);
        assertEquals(HttpStatus.OK, resent.getStatus(), String.valueOf(resent.body()));
        assertEquals(1, ((Number) resent.body().get("resent")).intValue());
        assertProblem(call(HttpRequest.GET("/api/v1/invitations/" + first), null), HttpStatus.NOT_FOUND);
        assertTrue(actions(staging).contains("invitation-resent"));
        String second = tokenFor(id);
        assertEquals(HttpStatus.OK, call(HttpRequest.GET("/api/v1/invitations/" + second), null).getStatus());

        var revoked = call(HttpRequest.DELETE(members(app, staging) + "/invitations/" + id), owner);
        assertEquals(HttpStatus.NO_CONTENT, revoked.getStatus());
        assertEquals(InvitationRecord.Status.REVOKED, invitations.findById(id).orElseThrow().status());
        assertTrue(actions(staging).contains("invitation-revoked"));
        assertProblem(call(HttpRequest.GET("/api/v1/invitations/" + second), null), HttpStatus.GONE);
        assertProblem(call(HttpRequest.POST("/api/v1/invitations/" + second + "/accept", ""), grace), HttpStatus.GONE);
        assertProblem(call(HttpRequest.POST(members(app, staging) + "/invitations/" + id + "/resend", ""), owner), HttpStatus.CONFLICT);
        assertTrue(environmentUsers.findById(new EnvironmentUserRecord.Key(staging, grace.id())).isEmpty());

        // Past its expiry, before the workflow marks it: already unusable.
        UUID late = UUID.fromString((String) invite(owner, app, staging, email, "user").body().get("id"));
        InvitationRecord row = invitations.findById(late).orElseThrow();
        String lateToken = InvitationTokens.newToken();
        invitations.update(new InvitationRecord(row.id(), row.appId(), row.envId(), row.email(), row.firstName(), row.lastName(),
                row.profile(), row.kind(), row.status(), InvitationTokens.sha256(lateToken), row.invitedBy(), row.resent(), row.createdAt(),
                Instant.now().minusSeconds(1).truncatedTo(ChronoUnit.MILLIS), null, null));
        assertProblem(call(HttpRequest.GET("/api/v1/invitations/" + lateToken), null), HttpStatus.GONE);
        assertProblem(call(HttpRequest.POST("/api/v1/invitations/" + lateToken + "/accept", ""), grace), HttpStatus.GONE);
        assertTrue(environmentUsers.findById(new EnvironmentUserRecord.Key(staging, grace.id())).isEmpty());
    }

    @Test
    void signingUpThroughAUserInvitationMakesAnEndUserWithoutASandboxWhoCanLaterBecomeADeveloper() {
        User owner = signUp("owner");
        App app = createApp(owner);
        UUID production = addEnvironment(owner, app, "production");
        String email = newEmail("end");
        UUID id = UUID.fromString((String) invite(owner, app, production, email, "USER").body().get("id"));
        String token = tokenFor(id);

        Map<String, Object> wrongEmail = assertProblem(call(HttpRequest.POST("/api/v1/accounts", Map.of("email", newEmail("x"),
                "password", "correct-horse-battery", "firstName", "E", "lastName", "U", "invitationToken", token)), null),
                HttpStatus.FORBIDDEN);
        assertTrue(((String) wrongEmail.get("detail")).contains(email), String.valueOf(wrongEmail));

        var created = call(HttpRequest.POST("/api/v1/accounts", Map.of("email", email, "password", "correct-horse-battery",
                "firstName", "E", "lastName", "U", "invitationToken", token)), null);
        assertEquals(HttpStatus.CREATED, created.getStatus(), String.valueOf(created.body()));
        assertNull(created.body().get("sandboxAppId"), "an end user gets no sandbox: " + created.body());
        assertEquals("/api/v1/apps/" + app.id(), created.getHeaders().get("Location"));
        @SuppressWarnings("unchecked")
        UUID userId = UUID.fromString((String) ((Map<String, Object>) created.body().get("account")).get("id"));
        EnvironmentUserRecord endUser = environmentUsers.findById(new EnvironmentUserRecord.Key(production, userId)).orElseThrow();
        assertEquals("user", endUser.profile());
        assertTrue(events.seen.contains(new MembershipChangedEvent(app.id(), production, userId, MembershipChangedEvent.Change.ADDED)));
        String session = (String) call(HttpRequest.POST("/api/v1/sessions", Map.of("email", email, "password", "correct-horse-battery")),
                null).body().get("accessToken");
        User end = new User(userId, email, session);
        Map<String, Object> ownList = call(HttpRequest.GET("/api/v1/apps"), end).body();
        assertNull(ownList.get("sandbox"));
        assertEquals(List.of(), ownList.get("shared"), "an end user does not see the app in the control plane's list");
        assertEquals(List.of(), ownList.get("applications"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> people = (List<Map<String, Object>>) call(HttpRequest.GET(members(app, production)), owner).body()
                .get("members");
        Map<String, Object> listed = people.stream().filter(p -> userId.toString().equals(p.get("userId"))).findFirst().orElseThrow();
        assertEquals("user", listed.get("kind"));
        assertEquals("user", listed.get("profile"));
        assertProblem(call(HttpRequest.GET(members(app, production)), end), HttpStatus.FORBIDDEN);

        // The same account becomes a developer through a developer invitation: no second account.
        UUID devInvitation = UUID.fromString((String) invite(owner, app, app.development(), email, "user").body().get("id"));
        assertEquals(HttpStatus.OK, call(HttpRequest.POST("/api/v1/invitations/" + tokenFor(devInvitation) + "/accept", ""), end)
                .getStatus());
        assertEquals(AppMemberRecord.Role.DEVELOPER, members.findById(new AppMemberRecord.Key(app.id(), userId)).orElseThrow().role());
        Map<String, Object> asDeveloper = call(HttpRequest.GET("/api/v1/apps"), end).body();
        assertNotNull(asDeveloper.get("sandbox"), "a developer has a sandbox, made when the end user became one: " + asDeveloper);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> nowShared = (List<Map<String, Object>>) asDeveloper.get("shared");
        assertEquals(List.of(app.id().toString()), nowShared.stream().map(a -> a.get("id")).toList());
    }

    /**
     * An end user (an account made through a user invitation, without a sandbox) becomes a developer
     * by their own sign-up, with their password: the same account gets its sandbox. Another password,
     * or an account that has its sandbox, is refused as any taken email is (409), and changes nothing.
     */
    @Test
    void anEndUserBecomesADeveloperByTheirOwnSignUpWithTheSameAccount() {
        User owner = signUp("owner");
        App app = createApp(owner);
        UUID production = addEnvironment(owner, app, "production");
        String email = newEmail("end");
        User end = signUp(email, tokenFor(UUID.fromString((String) invite(owner, app, production, email, "user").body().get("id"))));
        assertNull(call(HttpRequest.GET("/api/v1/apps"), end).body().get("sandbox"), "an end user: no sandbox");

        assertProblem(call(HttpRequest.POST("/api/v1/accounts", Map.of("email", email, "password", "another-password-entirely",
                "firstName", "E", "lastName", "U")), null), HttpStatus.CONFLICT);
        assertNull(call(HttpRequest.GET("/api/v1/apps"), end).body().get("sandbox"), "a wrong password changes nothing");

        var again = call(HttpRequest.POST("/api/v1/accounts", Map.of("email", email.toUpperCase(), "password", "correct-horse-battery",
                "firstName", "E", "lastName", "U")), null);
        assertEquals(HttpStatus.CREATED, again.getStatus(), String.valueOf(again.body()));
        @SuppressWarnings("unchecked")
        Map<String, Object> account = (Map<String, Object>) again.body().get("account");
        assertEquals(end.id().toString(), account.get("id"), "the same account");
        assertNotNull(again.body().get("sandboxAppId"));
        assertEquals(again.body().get("sandboxAppId"), ((Map<?, ?>) call(HttpRequest.GET("/api/v1/apps"), end).body().get("sandbox")).get("id"));

        assertProblem(call(HttpRequest.POST("/api/v1/accounts", Map.of("email", email, "password", "correct-horse-battery",
                "firstName", "E", "lastName", "U")), null), HttpStatus.CONFLICT);
    }

    @Test
    void aSignUpThroughADeveloperInvitationGetsASandboxAndTheSharedApp() {
        User owner = signUp("owner");
        App app = createApp(owner);
        String email = newEmail("dev");
        String token = tokenFor(UUID.fromString((String) invite(owner, app, app.development(), email, "user").body().get("id")));
        User dev = signUp(email, token);
        Map<String, Object> list = call(HttpRequest.GET("/api/v1/apps"), dev).body();
        assertNotNull(list.get("sandbox"), "a developer gets a sandbox: " + list);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> shared = (List<Map<String, Object>>) list.get("shared");
        assertEquals(List.of(app.id().toString()), shared.stream().map(a -> a.get("id")).toList());
        assertProblem(call(HttpRequest.POST("/api/v1/accounts", Map.of("email", newEmail("late"), "password", "correct-horse-battery",
                "firstName", "L", "lastName", "L", "invitationToken", token)), null), HttpStatus.GONE);
    }

    /** An app whose development environment is RUNNING, as a finished provisioning leaves it, with this roles.json in its code. */
    private App appWithRoles(User owner, String rolesJson) throws Exception {
        App app = createApp(owner);
        operations.findActiveForEnvironment(app.development())
                .ifPresent(op -> operations.finish(op.id(), OperationStatus.SUCCEEDED, null, Instant.now()));
        environmentRecords.updateStatus(app.development(), EnvironmentStatus.RUNNING, null, Instant.now());
        files.createFolders(app.development().toString());
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            out.putNextEntry(new ZipEntry("roles.json"));
            out.write(rolesJson.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        var uploaded = call(HttpRequest.PUT("/api/v1/apps/" + app.id() + "/environments/" + app.development() + "/code", zip.toByteArray())
                .contentType("application/zip"), owner);
        assertEquals(HttpStatus.OK, uploaded.getStatus(), String.valueOf(uploaded.body()));
        return app;
    }

    @Test
    void theProfilesAreTheRolesOfTheEnvironmentsCodeAndAnInvalidRolesFileIs422() throws Exception {
        User owner = signUp("owner");
        App app = appWithRoles(owner, "{\"roles\": [{\"role\": \"Sales\"}, {\"role\": \"Manager\", \"privileges\": [\"x\"]}]}");
        var invited = invite(owner, app, app.development(), newEmail("m"), "manager");
        assertEquals(HttpStatus.CREATED, invited.getStatus(), String.valueOf(invited.body()));
        assertEquals("Manager", invited.body().get("profile"), "stored as the application spells it");
        var unknown = invite(owner, app, app.development(), newEmail("u"), "user");
        Map<String, Object> problem = assertProblem(unknown, HttpStatus.BAD_REQUEST);
        assertEquals("profile", errorField(unknown));
        assertTrue(((String) problem.get("detail")).contains("Sales, Manager"), String.valueOf(problem));

        App broken = appWithRoles(owner, "{\"roles\": []}");
        Map<String, Object> invalid = assertProblem(invite(owner, broken, broken.development(), newEmail("b"), "user"),
                HttpStatus.UNPROCESSABLE_ENTITY);
        assertTrue(((String) invalid.get("detail")).contains("roles.json"), String.valueOf(invalid));
        assertEquals(List.of(), invitations.findPending(broken.development()));
    }

    @Test
    void fiftyInvitationsPerAppPerDayThenA429WithRetryAfter() {
        User owner = signUp("owner");
        App app = createApp(owner);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (int i = 0; i < 49; i++) {
            invitations.save(new InvitationRecord(UUID.randomUUID(), app.id(), app.development(), newEmail("bulk"), "B", "U", "user",
                    InvitationRecord.Kind.DEVELOPER, InvitationRecord.Status.REVOKED, InvitationTokens.unusable(), owner.id(), 0,
                    now.minus(Duration.ofHours(23)).plusMillis(i), now.plus(Duration.ofDays(6)), null, now));
        }
        assertEquals(HttpStatus.CREATED, invite(owner, app, app.development(), newEmail("50th"), "user").getStatus());
        var refused = invite(owner, app, app.development(), newEmail("51st"), "user");
        assertProblem(refused, HttpStatus.TOO_MANY_REQUESTS);
        long retryAfter = Long.parseLong(refused.getHeaders().get("Retry-After"));
        assertTrue(retryAfter > 3500 && retryAfter <= 3600, "the oldest of the 50 leaves the window in about an hour: " + retryAfter);
        assertEquals(1, invitations.findPending(app.development()).size());
    }
}
