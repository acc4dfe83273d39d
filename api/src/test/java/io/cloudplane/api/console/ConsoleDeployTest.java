package io.cloudplane.api.console;

import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.code.CodeArchives;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.infra.release.DeploymentRecord;
import io.cloudplane.infra.release.DeploymentRepository;
import io.cloudplane.infra.release.PromotionRepository;
import io.cloudplane.infra.release.ReleaseRecord;
import io.cloudplane.infra.release.ReleaseRepository;
import io.cloudplane.infra.team.InvitationRecord;
import io.cloudplane.infra.team.InvitationRepository;
import io.cloudplane.infra.team.InvitationTokens;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.workflows.release.PromotionStatus;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.http.client.exceptions.HttpClientResponseException;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Deploy and Team tabs and the invitation page, posting their forms as a browser does: the session
 * cookie (the API's own token) and the CSRF token read from the page. No worker runs here, so the
 * test ends operations and marks releases ready as their workflows would; what a workflow does is
 * ConsoleDeployIT's (in the packaged all-in-one). Each refusal shows the API's words with its status.
 */
@MicronautTest(transactional = false)
class ConsoleDeployTest {
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    private static final String PASSWORD = "correct-horse-battery";
    @Inject @Client("/") io.micronaut.http.client.HttpClient api;
    @Inject EmbeddedServer server;
    @Inject OperationRepository operations;
    @Inject EnvironmentRepository environments;
    @Inject EnvironmentFiles files;
    @Inject ReleaseRepository releases;
    @Inject DeploymentRepository deployments;
    @Inject PromotionRepository promotions;
    @Inject AppMemberRepository members;
    @Inject InvitationRepository invitations;
    @Inject WorkflowClient workflows;
    @Inject DataSource dataSource;
    private final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private record User(UUID id, String email, String token) {
    }

    private record Page(int status, String body, String location) {
        String csrf() {
            Matcher m = CSRF.matcher(body);
            assertTrue(m.find(), "the page has a form with its CSRF token: " + body);
            return m.group(1);
        }
    }

    // ---- the Deploy tab

    @Test
    void releasesAreCreatedDeployedRolledBackPromotedAndDecidedThroughTheDeployTab() throws Exception {
        User ada = signUp("ada");
        User bob = signUp("bob");
        UUID appId = app(ada, "deploy-" + UUID.randomUUID().toString().substring(0, 8));
        UUID devId = environments.findByAppId(appId).get(0).id();
        members.save(AppMemberRecord.of(appId, bob.id(), AppMemberRecord.Role.DEVELOPER));
        String tab = "/apps/" + appId + "/environments/" + devId + "/deploy";

        Page empty = get(tab, ada);
        assertEquals(200, empty.status(), empty.body());
        assertTrue(empty.body().contains("No release yet.") && empty.body().contains("New release's name"), empty.body());
        assertTrue(empty.body().contains("this app has no staging and no production environment yet"), "why nothing can be promoted");

        // a refusal: the development environment has no code yet; the API's words, its status, the form kept
        Page refused = post(tab + "/releases", ada, Map.of("name", "first", "description", "the first", "source", devId.toString()));
        assertEquals(422, refused.status(), refused.body());
        assertTrue(refused.body().contains("role=\"alert\"") && refused.body().contains("has no code yet"), refused.body());
        assertTrue(refused.body().contains("value=\"first\""), "the name is kept");
        assertEquals(List.of(), releases.findByAppNewestFirst(appId), "the refusal created nothing");

        assertEquals(200, upload(ada, appId, devId, site("one")));
        Page created = post(tab + "/releases", ada, Map.of("name", "first", "description", "the first", "source", devId.toString()));
        assertEquals(303, created.status(), created.body());
        ReleaseRecord first = releases.findByAppNewestFirst(appId).get(0);
        assertEquals(List.of("first", "the first"), List.of(first.name(), first.description()));
        assertEquals("/apps/" + appId + "?env=" + devId + "&operation=" + first.id(), created.location(),
                "the Overview follows the release's operation");
        assertEquals(409, post(tab + "/releases", ada, Map.of("name", "FIRST", "source", devId.toString())).status(), "names are unique");
        ready(first.id());

        // deploy here (by a developer), then roll back
        Page withRelease = get(tab, bob);
        assertTrue(withRelease.body().contains("data-release=\"first\"") && withRelease.body().contains(tab + "/deployments"),
                withRelease.body());
        Page deployed = post(tab + "/deployments", bob, Map.of("releaseId", first.id().toString()));
        assertEquals(303, deployed.status(), deployed.body());
        DeploymentRecord deployment = deployments.findPage(devId, Instant.now().plusSeconds(60), new UUID(-1, -1), 10).get(0);
        assertEquals(first.id(), deployment.releaseId());
        assertEquals("/apps/" + appId + "?env=" + devId + "&operation=" + deployment.id(), deployed.location());
        Page busy = post(tab + "/deployments", bob, Map.of("releaseId", first.id().toString()));
        assertEquals(409, busy.status(), "one operation at a time: " + busy.body());
        operations.finish(deployment.id(), OperationStatus.SUCCEEDED, null, Instant.now());
        deployments.finish(deployment.id(), DeploymentRecord.Status.SUCCEEDED, null, Instant.now());
        Page history = get(tab, bob);
        assertTrue(history.body().contains("data-deployment-id=\"" + deployment.id() + "\"") && history.body().contains("Roll back"),
                history.body());
        Page rolledBack = post(tab + "/rollback", bob, Map.of());
        assertEquals(303, rolledBack.status(), rolledBack.body());
        DeploymentRecord rollback = deployments.findPage(devId, Instant.now().plusSeconds(60), new UUID(-1, -1), 10).get(0);
        assertTrue(rollback.isRollback(), "a rollback deployment");
        assertTrue(rolledBack.location().endsWith("&operation=" + rollback.id()), rolledBack.location());
        operations.finish(rollback.id(), OperationStatus.SUCCEEDED, null, Instant.now());
        deployments.finish(rollback.id(), DeploymentRecord.Status.SUCCEEDED, null, Instant.now());

        // a deployed release is locked: the tab offers no Delete, and the API refuses it in words
        Page locked = post(tab + "/releases/" + first.id() + "/delete", ada, Map.of());
        assertEquals(409, locked.status(), locked.body());
        assertTrue(locked.body().contains("is locked"), locked.body());
        assertTrue(releases.existsById(first.id()));
        Page spare = post(tab + "/releases", ada, Map.of("name", "spare", "source", devId.toString()));
        assertEquals(303, spare.status(), spare.body());
        UUID spareId = releases.findByAppNewestFirst(appId).get(0).id();
        ready(spareId);
        Page deleted = post(tab + "/releases/" + spareId + "/delete", ada, Map.of());
        assertEquals(303, deleted.status(), deleted.body());
        assertTrue(get(deleted.location(), ada).body().contains("The release was deleted."), deleted.location());
        assertFalse(releases.existsById(spareId));

        // production takes the owner: a developer is told so and refused
        UUID stagingId = environment(ada, appId, "staging");
        UUID productionId = environment(ada, appId, "production");
        String production = "/apps/" + appId + "/environments/" + productionId + "/deploy";
        Page asDeveloper = get(production, bob);
        assertTrue(asDeveloper.body().contains("Only the app&#39;s owner deploys to production")
                || asDeveloper.body().contains("Only the app's owner deploys to production"), asDeveloper.body());
        assertFalse(asDeveloper.body().contains(production + "/deployments"), "no deploy form for a developer in production");
        Page forbidden = post(production + "/deployments", bob, Map.of("releaseId", first.id().toString()));
        assertEquals(403, forbidden.status(), forbidden.body());
        assertTrue(forbidden.body().contains("developers promote"), forbidden.body());

        // promote (a developer may), then approve and reject: the owner's alone
        Page promoted = post(tab + "/promotions", bob, Map.of("releaseId", first.id().toString()));
        assertEquals(303, promoted.status(), promoted.body());
        assertEquals(tab + "#promotions", promoted.location());
        var promotion = promotions.findPage(appId, Instant.now().plusSeconds(60), new UUID(-1, -1), 10).get(0);
        assertEquals(PromotionStatus.DEPLOYING_STAGING, promotion.status());
        assertEquals(stagingId, promotion.stagingEnvId());
        Page deploying = get(tab + "/promotions", bob);
        assertTrue(deploying.body().contains("data-status=\"DEPLOYING_STAGING\"") && deploying.body().contains("hx-trigger=\"every 1s\""),
                "the promotion follows itself while it deploys: " + deploying.body());
        assertEquals(409, post(tab + "/promotions", ada, Map.of("releaseId", first.id().toString())).status(), "one promotion at a time");

        // No worker runs here: as if staging were deployed, the promotion waits for the approval, its workflow gone.
        workflows.newUntypedWorkflowStub(WorkflowIds.promotion(promotion.id().toString())).terminate("ConsoleDeployTest");
        try (var c = io.micronaut.data.connection.jdbc.advice.DelegatingDataSource.unwrapDataSource(dataSource).getConnection();
             var s = c.prepareStatement(
                "UPDATE promotions SET status = 'AWAITING_APPROVAL', stage = 'APPROVAL' WHERE id = ?")) {
            s.setObject(1, promotion.id());
            assertEquals(1, s.executeUpdate());
        }
        String approve = tab + "/promotions/" + promotion.id() + "/approve";
        assertFalse(get(tab, bob).body().contains(approve), "a developer is offered no approval");
        assertTrue(get(tab, ada).body().contains(approve), "the owner is");
        Page notOwner = post(approve, bob, Map.of("comment", "ship it"));
        assertEquals(403, notOwner.status(), notOwner.body());
        assertTrue(notOwner.body().contains("Only the app&#39;s owner approves") || notOwner.body().contains("Only the app's owner approves"),
                notOwner.body());
        for (String decision : List.of("approve", "reject")) {
            Page gone = post(tab + "/promotions/" + promotion.id() + "/" + decision, ada, Map.of("comment", "ship it"));
            assertEquals(409, gone.status(), gone.body());
            assertTrue(gone.body().contains("its workflow is gone"), decision + ": the API's reason: " + gone.body());
        }
        // Whoever asked for it (here a developer) is offered its cancel; the API's refusal is shown in its words.
        String cancel = tab + "/promotions/" + promotion.id() + "/cancel";
        assertTrue(get(tab, bob).body().contains(cancel), "the developer who promoted is offered the cancel");
        Page cancelGone = post(cancel, bob, Map.of());
        assertEquals(409, cancelGone.status(), cancelGone.body());
        assertTrue(cancelGone.body().contains("its workflow is gone"), "the API's reason: " + cancelGone.body());
        assertEquals(PromotionStatus.AWAITING_APPROVAL, promotions.findById(promotion.id()).orElseThrow().status(), "refusals change nothing");
    }

    // ---- the Team tab and the invitation page

    @Test
    void peopleAreInvitedResentRevokedAcceptedChangedAndRemovedThroughTheTeamTab() throws Exception {
        User ada = signUp("ada");
        User eve = signUp("eve");
        UUID appId = app(ada, "team-" + UUID.randomUUID().toString().substring(0, 8));
        UUID devId = environments.findByAppId(appId).get(0).id();
        String tab = "/apps/" + appId + "/environments/" + devId + "/team";

        Page team = get(tab, ada);
        assertEquals(200, team.status(), team.body());
        assertTrue(team.body().contains(ada.email()) && team.body().contains("<option value=\"user\""), "members and profiles: " + team.body());

        String graceEmail = "grace-" + UUID.randomUUID() + "@example.com";
        Map<String, String> grace = Map.of("firstName", "Grace", "lastName", "Hopper", "email", graceEmail, "profile", "user");
        Page invited = post(tab + "/invitations", ada, grace);
        assertEquals(303, invited.status(), invited.body());
        assertEquals(tab + "?done=invited", invited.location());
        Page afterInvite = get(invited.location(), ada);
        assertTrue(afterInvite.body().contains("The invitation is sent") && afterInvite.body().contains("data-invitation=\"" + graceEmail + "\""),
                afterInvite.body());
        InvitationRecord first = invitations.findPending(devId).get(0);
        Page twice = post(tab + "/invitations", ada, grace);
        assertEquals(409, twice.status(), twice.body());
        assertTrue(twice.body().contains("has a pending invitation") && twice.body().contains("value=\"Grace\""),
                "the API's words, the form kept: " + twice.body());
        Page badProfile = post(tab + "/invitations", ada, Map.of("firstName", "Al", "lastName", "Bo", "email", "al@example.com",
                "profile", "admin"));
        assertEquals(400, badProfile.status(), badProfile.body());
        assertTrue(badProfile.body().contains("unknown profile"), badProfile.body());

        Page resent = post(tab + "/invitations/" + first.id() + "/resend", ada, Map.of());
        assertEquals(303, resent.status(), resent.body());
        assertEquals(1, invitations.findById(first.id()).orElseThrow().resent());
        String revokedToken = tokenFor(first.id());
        Page revoked = post(tab + "/invitations/" + first.id() + "/revoke", ada, Map.of());
        assertEquals(303, revoked.status(), revoked.body());
        assertEquals(InvitationRecord.Status.REVOKED, invitations.findById(first.id()).orElseThrow().status());
        Page revokedPage = get("/invitations/" + revokedToken, null);
        assertEquals(410, revokedPage.status(), revokedPage.body());
        assertTrue(revokedPage.body().contains("was revoked"), "a revoked invitation says so: " + revokedPage.body());
        assertEquals(404, get("/invitations/" + InvitationTokens.newToken(), null).status());

        // a new invitation: its page signed out, then accepted by the wrong account, then by Grace
        assertEquals(303, post(tab + "/invitations", ada, grace).status());
        String token = tokenFor(invitations.findPending(devId).get(0).id());
        Page signedOut = get("/invitations/" + token, null);
        assertEquals(200, signedOut.status(), signedOut.body());
        assertTrue(signedOut.body().contains("Ada Lovelace") && signedOut.body().contains("/sign-in?to=/invitations/" + token)
                && signedOut.body().contains("/sign-up?to=/invitations/" + token), signedOut.body());
        Page seenByEve = get("/invitations/" + token, eve);
        assertFalse(seenByEve.body().contains("/accept"), "no Accept button for another account: " + seenByEve.body());
        assertTrue(seenByEve.body().contains("only that account can accept it"), seenByEve.body());
        assertTrue(get("/invitations/" + token, graceUser(graceEmail)).body().contains(token + "/accept"), "the invited account may accept");
        Page wrong = post("/invitations/" + token + "/accept", eve, Map.of(), "/invitations/" + token);
        assertEquals(403, wrong.status(), wrong.body());
        assertTrue(wrong.body().contains("This invitation is for " + graceEmail), wrong.body());
        assertFalse(members.findById(new AppMemberRecord.Key(appId, eve.id())).isPresent(), "the wrong account joined nothing");

        User graceUser = graceUser(graceEmail);
        Page accepted = post("/invitations/" + token + "/accept", graceUser, Map.of(), "/invitations/" + token);
        assertEquals(303, accepted.status(), accepted.body());
        assertEquals("/apps#shared", accepted.location());
        assertTrue(members.findById(new AppMemberRecord.Key(appId, graceUser.id())).isPresent());
        Page apps = get("/apps", graceUser);
        String shared = apps.body().substring(apps.body().indexOf("id=\"shared\""));
        assertTrue(shared.contains("/apps/" + appId), "the app is under Shared Applications: " + apps.body());

        // change the profile (a refusal, then the profile), then remove
        String member = tab + "/members/" + graceUser.id();
        Page noSuchProfile = post(member + "/profile", ada, Map.of("profile", "admin"));
        assertEquals(400, noSuchProfile.status(), noSuchProfile.body());
        assertTrue(noSuchProfile.body().contains("not a profile of this application"), noSuchProfile.body());
        Page changed = post(member + "/profile", ada, Map.of("profile", "USER"));
        assertEquals(303, changed.status(), changed.body());
        assertTrue(get(changed.location(), ada).body().contains("The profile was changed."), changed.location());
        assertEquals("user", members.findById(new AppMemberRecord.Key(appId, graceUser.id())).orElseThrow().profile());
        Page ownerRemoval = post(tab + "/members/" + ada.id() + "/remove", graceUser, Map.of());
        assertEquals(409, ownerRemoval.status(), "nobody removes the owner: " + ownerRemoval.body());
        assertTrue(ownerRemoval.body().contains("The owner cannot be removed"), ownerRemoval.body());
        Page removed = post(member + "/remove", ada, Map.of());
        assertEquals(303, removed.status(), removed.body());
        assertFalse(members.findById(new AppMemberRecord.Key(appId, graceUser.id())).isPresent());
        assertEquals(404, get(tab, graceUser).status(), "who was removed no longer sees the app");
    }

    @Test
    void signInAndSignUpGoBackToALocalPathOnly() throws Exception {
        User ada = signUp("ada");
        Page form = get("/sign-in?to=/invitations/abc", null);
        assertTrue(form.body().contains("name=\"to\" value=\"/invitations/abc\""), form.body());
        assertTrue(form.body().contains("/sign-up?to=/invitations/abc"), "sign-up keeps the way back");
        assertEquals("/invitations/abc", signIn(ada.email(), "/invitations/abc").location());
        for (String hostile : List.of("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "/x%zz", "/a#b#c")) {
            assertEquals("/apps", signIn(ada.email(), hostile).location(), hostile);
        }
        assertFalse(get("/sign-up?to=//evil.example", null).body().contains("evil.example"));
    }

    // ---- helpers

    private Page signIn(String email, String to) throws Exception {
        var first = browser.send(java.net.http.HttpRequest.newBuilder(uri("/sign-in")).GET().build(), HttpResponse.BodyHandlers.ofString());
        String cookies = first.headers().allValues("Set-Cookie").stream().map(c -> c.substring(0, c.indexOf(';'))).collect(Collectors.joining("; "));
        Page page = new Page(first.statusCode(), first.body(), null);
        var response = browser.send(java.net.http.HttpRequest.newBuilder(uri("/sign-in")).header("Cookie", cookies)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(encode(Map.of("csrf", page.csrf(), "email", email,
                        "password", PASSWORD, "to", to)))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(303, response.statusCode(), response.body());
        return new Page(response.statusCode(), response.body(), response.headers().firstValue("Location").orElse(null));
    }

    private Page get(String path, User user) throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET();
        if (user != null) {
            request.header("Cookie", ConsoleSession.COOKIE + "=" + user.token());
        }
        var response = browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Page(response.statusCode(), response.body(), response.headers().firstValue("Location").orElse(null));
    }

    /** Posts the form of the page at {@code path}'s tab, with the CSRF token read from that page. */
    private Page post(String action, User user, Map<String, String> fields) throws Exception {
        String pagePath = action.replaceFirst("(/environments/[^/]+/(deploy|team)).*", "$1");
        return post(action, user, fields, pagePath);
    }

    private Page post(String action, User user, Map<String, String> fields, String pagePath) throws Exception {
        Page page = get(pagePath, user);
        Map<String, String> form = new LinkedHashMap<>(fields);
        form.put("csrf", page.csrf());
        var response = browser.send(java.net.http.HttpRequest.newBuilder(uri(action)).timeout(Duration.ofSeconds(30))
                .header("Cookie", ConsoleSession.COOKIE + "=" + user.token())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(encode(form))).build(), HttpResponse.BodyHandlers.ofString());
        return new Page(response.statusCode(), response.body(), response.headers().firstValue("Location").orElse(null));
    }

    private static String encode(Map<String, String> form) {
        return form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getPort() + path);
    }

    private String tokenFor(UUID invitationId) {
        InvitationRecord row = invitations.findById(invitationId).orElseThrow();
        String token = InvitationTokens.newToken();
        assertEquals(1, invitations.setToken(invitationId, row.expiresAt(), InvitationTokens.sha256(token)));
        return token;
    }

    private final Map<String, User> accounts = new java.util.concurrent.ConcurrentHashMap<>();

    /** The account of {@code email}, signed up the first time it is asked for. */
    private User graceUser(String email) {
        return accounts.computeIfAbsent(email, this::signUp);
    }

    /** The release as its creation's workflow leaves it: READY, its operation ended. */
    private void ready(UUID releaseId) {
        operations.finish(releaseId, OperationStatus.SUCCEEDED, null, Instant.now());
        releases.markReady(releaseId, "0".repeat(64), 10);
    }

    @SuppressWarnings("unchecked")
    private User signUp(String who) {
        String email = who.contains("@") ? who : who + "-" + UUID.randomUUID() + "@example.com";
        var created = api.toBlocking().exchange(HttpRequest.POST("/api/v1/accounts", Map.of("email", email, "password", PASSWORD,
                "firstName", who.startsWith("ada") ? "Ada" : "Grace", "lastName", who.startsWith("ada") ? "Lovelace" : "Hopper")),
                Argument.mapOf(String.class, Object.class));
        UUID id = UUID.fromString((String) ((Map<String, Object>) created.body().get("account")).get("id"));
        String token = (String) api.toBlocking().exchange(HttpRequest.POST("/api/v1/sessions", Map.of("email", email, "password", PASSWORD)),
                Argument.mapOf(String.class, Object.class)).body().get("accessToken");
        return new User(id, email, token);
    }

    @SuppressWarnings("unchecked")
    private UUID app(User owner, String name) {
        var created = api.toBlocking().exchange(HttpRequest.POST("/api/v1/apps", Map.of("name", name)).bearerAuth(owner.token()),
                Argument.mapOf(String.class, Object.class));
        provisioned(UUID.fromString((String) ((Map<String, Object>) created.body().get("operation")).get("envId")));
        return UUID.fromString((String) created.body().get("id"));
    }

    private UUID environment(User owner, UUID appId, String type) {
        var created = api.toBlocking().exchange(HttpRequest.POST("/api/v1/apps/" + appId + "/environments", Map.of("name", type, "type", type))
                .bearerAuth(owner.token()), Argument.mapOf(String.class, Object.class));
        UUID envId = UUID.fromString((String) created.body().get("id"));
        provisioned(envId);
        return envId;
    }

    /** An environment as a finished provisioning leaves it: RUNNING, with its folders, no operation running. */
    private void provisioned(UUID envId) {
        operations.findActiveForEnvironment(envId).ifPresent(op -> operations.finish(op.id(), OperationStatus.SUCCEEDED, null, Instant.now()));
        environments.updateStatus(envId, EnvironmentStatus.RUNNING, null, Instant.now());
        files.createFolders(envId.toString());
    }

    private int upload(User user, UUID appId, UUID envId, byte[] archive) {
        try {
            return api.toBlocking().exchange(HttpRequest.PUT("/api/v1/apps/" + appId + "/environments/" + envId + "/code", archive)
                    .contentType("application/gzip").bearerAuth(user.token())).getStatus().getCode();
        } catch (HttpClientResponseException e) {
            return e.getStatus().getCode();
        }
    }

    private static byte[] site(String text) throws IOException {
        Path dir = Files.createTempDirectory("site-");
        Files.writeString(dir.resolve("index.html"), text);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodeArchives.writeTarGz(dir, out);
        return out.toByteArray();
    }
}
