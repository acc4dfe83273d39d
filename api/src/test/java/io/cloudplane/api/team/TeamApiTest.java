package io.cloudplane.api.team;

import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.environment.EnvironmentUserRecord;
import io.cloudplane.infra.environment.EnvironmentUserRepository;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.infra.release.PromotionRecord;
import io.cloudplane.infra.release.PromotionRepository;
import io.cloudplane.infra.release.ReleaseRecord;
import io.cloudplane.infra.release.ReleaseRepository;
import io.cloudplane.infra.team.MembershipSyncRepository;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.workflows.release.PromotionStage;
import io.cloudplane.workflows.release.PromotionStatus;
import io.micronaut.context.annotation.Property;
import io.micronaut.core.type.Argument;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.http.client.exceptions.HttpClientResponseException;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Inject;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Changing and removing members, and ownership transfer, over HTTP: every rule, and that a refusal
 * names the field and changes nothing. Members are made by inserting their rows (no invitations
 * here); no worker runs, so a membership-sync workflow is started and stays running.
 */
@MicronautTest(transactional = false)
@Property(name = "cloudplane.promotion.recovery.enabled", value = "false") // the promotions written here have no workflow
@Property(name = "cloudplane.team.sync-recovery.initial-delay", value = "1h") // the test runs the recovery itself
class TeamApiTest {
    private static final String PASSWORD = "correct-horse-battery";
    @Inject @Client("/") HttpClient http;
    @Inject AppRepository apps;
    @Inject AppMemberRepository members;
    @Inject EnvironmentUserRepository environmentUsers;
    @Inject EnvironmentRepository environments;
    @Inject OperationRepository operations;
    @Inject EnvironmentFiles files;
    @Inject ReleaseRepository releases;
    @Inject PromotionRepository promotions;
    @Inject MembershipSyncRepository syncs;
    @Inject MembershipSyncRecovery recovery;
    @Inject WorkflowClient workflows;
    @Inject DataSource dataSource;

    private record User(UUID id, String email, String token) {
    }

    /** An application with development, staging and production, a developer and an end user of staging and of production. */
    private record Team(UUID appId, UUID dev, UUID staging, UUID production, User owner, User developer, User stagingUser,
                        User productionUser) {
    }

    // ---- removal

    @Test
    void aRemovedDeveloperLeavesEveryEnvironmentAndTheirNextCallIs404() throws Exception {
        Team t = team();
        assertEquals(HttpStatus.OK, call(HttpRequest.GET("/api/v1/apps/" + t.appId()), t.developer()).getStatus());

        var removed = call(HttpRequest.DELETE(members(t, t.dev(), t.developer().id())), t.owner());

        assertEquals(HttpStatus.NO_CONTENT, removed.getStatus(), String.valueOf(removed.body()));
        assertEquals(HttpStatus.NOT_FOUND, call(HttpRequest.GET("/api/v1/apps/" + t.appId()), t.developer()).getStatus());
        assertEquals(HttpStatus.NOT_FOUND, call(HttpRequest.GET("/api/v1/apps/" + t.appId() + "/environments/" + t.staging()),
                t.developer()).getStatus());
        assertTrue(members.findById(new AppMemberRecord.Key(t.appId(), t.developer().id())).isEmpty());
        for (UUID env : List.of(t.dev(), t.staging(), t.production())) {
            assertEquals(1, count("select count(*) from activity_log where env_id = '" + env + "' and action = 'member-removed'"
                    + " and detail like '%" + t.developer().email() + " (developer) was removed'"), "the log of " + env);
        }
        assertSyncSignalled(t.appId(), t.developer().id());
    }

    @Test
    void anEndUserIsRemovedFromTheirEnvironmentOnlyByTheOwnerOrADeveloperOutsideProduction() throws Exception {
        Team t = team();
        String before = fingerprint();
        assertProblem(call(HttpRequest.DELETE(members(t, t.production(), t.productionUser().id())), t.developer()), HttpStatus.FORBIDDEN, null);
        assertProblem(call(HttpRequest.DELETE(members(t, t.staging(), t.developer().id())), t.stagingUser()), HttpStatus.FORBIDDEN, null);
        assertProblem(call(HttpRequest.DELETE(members(t, t.staging(), t.productionUser().id())), t.owner()), HttpStatus.NOT_FOUND, null);
        assertProblem(call(HttpRequest.DELETE(members(t, t.staging(), UUID.randomUUID())), t.owner()), HttpStatus.NOT_FOUND, null);
        // An end user of staging does not see production: as if it did not exist.
        assertProblem(call(HttpRequest.DELETE(members(t, t.production(), t.productionUser().id())), t.stagingUser()),
                HttpStatus.NOT_FOUND, null);
        assertEquals(before, fingerprint(), "refused removals changed nothing");

        assertEquals(HttpStatus.NO_CONTENT, call(HttpRequest.DELETE(members(t, t.staging(), t.stagingUser().id())), t.developer()).getStatus());
        assertEquals(HttpStatus.NOT_FOUND, call(HttpRequest.GET("/api/v1/apps/" + t.appId()), t.stagingUser()).getStatus());
        assertEquals(HttpStatus.NO_CONTENT, call(HttpRequest.DELETE(members(t, t.production(), t.productionUser().id())), t.owner()).getStatus());
        assertEquals(HttpStatus.NOT_FOUND, call(HttpRequest.GET("/api/v1/apps/" + t.appId()), t.productionUser()).getStatus());
        assertEquals(1, count("select count(*) from activity_log where env_id = '" + t.staging() + "' and action = 'member-removed'"));
        assertEquals(0, count("select count(*) from activity_log where env_id = '" + t.dev() + "' and action = 'member-removed'"));
        assertSyncSignalled(t.appId(), t.stagingUser().id());
    }

    @Test
    void anyMemberMayRemoveThemselvesButTheOwnerCannotBeRemoved() throws Exception {
        Team t = team();
        String before = fingerprint();
        assertProblem(call(HttpRequest.DELETE(members(t, t.dev(), t.owner().id())), t.owner()), HttpStatus.CONFLICT, null);
        assertProblem(call(HttpRequest.DELETE(members(t, t.dev(), t.owner().id())), t.developer()), HttpStatus.CONFLICT, null);
        assertEquals(before, fingerprint(), "refused removals changed nothing");

        // Production takes the owner, but leaving is anyone's own choice.
        assertEquals(HttpStatus.NO_CONTENT, call(HttpRequest.DELETE(members(t, t.production(), t.productionUser().id())),
                t.productionUser()).getStatus());
        assertEquals(HttpStatus.NO_CONTENT, call(HttpRequest.DELETE(members(t, t.production(), t.developer().id())),
                t.developer()).getStatus());
        assertEquals(HttpStatus.NOT_FOUND, call(HttpRequest.GET("/api/v1/apps/" + t.appId()), t.developer()).getStatus());
        assertEquals(HttpStatus.NOT_FOUND, call(HttpRequest.GET("/api/v1/apps/" + t.appId()), t.productionUser()).getStatus());
        assertEquals(1, count("select count(*) from activity_log where env_id = '" + t.production() + "' and action = 'member-removed'"
                + " and detail like '%" + t.developer().email() + " (developer) left'"));
    }

    // ---- profiles

    @Test
    void aProfileIsOneOfTheApplicationsRolesAndAnUnknownOneIsRefusedNamingProfile() throws Exception {
        Team t = team();
        upload(t, "{\"roles\": [{\"role\": \"Sales\"}, {\"role\": \"Manager\", \"privileges\": [\"all\"]}]}");
        String before = fingerprint();
        var unknown = call(HttpRequest.PATCH(members(t, t.dev(), t.developer().id()), Map.of("profile", "Admin")), t.owner());
        assertProblem(unknown, HttpStatus.BAD_REQUEST, "profile");
        assertTrue(String.valueOf(unknown.body()).contains("Sales, Manager"), "lists the valid ones: " + unknown.body());
        assertProblem(call(HttpRequest.PATCH(members(t, t.dev(), t.developer().id()), Map.of()), t.owner()), HttpStatus.BAD_REQUEST, "profile");
        assertProblem(call(HttpRequest.PATCH(members(t, t.dev(), t.developer().id()), Map.of("profile", 7)), t.owner()),
                HttpStatus.BAD_REQUEST, "profile");
        assertProblem(call(HttpRequest.PATCH(members(t, t.dev(), t.developer().id()), Map.of("profile", "Sales", "role", "x")),
                t.owner()), HttpStatus.BAD_REQUEST, "role");
        // Staging has no code yet: its one profile is the default.
        assertProblem(call(HttpRequest.PATCH(members(t, t.staging(), t.stagingUser().id()), Map.of("profile", "Sales")), t.owner()),
                HttpStatus.BAD_REQUEST, "profile");
        assertEquals(before, fingerprint(), "refused changes changed nothing");

        var changed = call(HttpRequest.PATCH(members(t, t.dev(), t.developer().id()), Map.of("profile", "manager")), t.developer());

        assertEquals(HttpStatus.OK, changed.getStatus(), String.valueOf(changed.body()));
        assertEquals("Manager", changed.body().get("profile"), "as the application spells it");
        assertEquals("developer", changed.body().get("kind"));
        assertEquals(false, changed.body().get("owner"));
        assertEquals(t.developer().email(), changed.body().get("email"));
        assertEquals(t.developer().id().toString(), changed.body().get("userId"));
        assertEquals("Manager", members.findById(new AppMemberRecord.Key(t.appId(), t.developer().id())).orElseThrow().profile());
        // A developer's profile is the app's: every environment's log says so.
        for (UUID env : List.of(t.dev(), t.staging(), t.production())) {
            assertEquals(1, count("select count(*) from activity_log where env_id = '" + env + "' and action = 'member-profile-changed'"
                    + " and detail like '%none -> Manager'"));
        }
        assertSyncSignalled(t.appId(), t.developer().id());
    }

    @Test
    void anEndUsersProfileIsTheirEnvironmentsOnly() throws Exception {
        Team t = team();
        var changed = call(HttpRequest.PATCH(members(t, t.staging(), t.stagingUser().id()), Map.of("profile", "USER")), t.developer());

        assertEquals(HttpStatus.OK, changed.getStatus(), String.valueOf(changed.body()));
        assertEquals("user", changed.body().get("profile"));
        assertEquals("user", changed.body().get("kind"));
        // The same profile: nothing to change, nothing logged.
        assertEquals(0, count("select count(*) from activity_log where app_id = '" + t.appId() + "' and action = 'member-profile-changed'"));
    }

    @Test
    void aDevelopersProfileIsTheAppsAndProductionTakesTheOwner() throws Exception {
        Team t = team();
        String before = fingerprint();
        assertProblem(call(HttpRequest.PATCH(members(t, t.production(), t.productionUser().id()), Map.of("profile", "user")), t.developer()),
                HttpStatus.FORBIDDEN, null);
        assertProblem(call(HttpRequest.PATCH(members(t, t.staging(), t.developer().id()), Map.of("profile", "user")), t.stagingUser()),
                HttpStatus.FORBIDDEN, null);
        assertProblem(call(HttpRequest.PATCH(members(t, t.dev(), t.owner().id()), Map.of("profile", "user")), t.developer()),
                HttpStatus.FORBIDDEN, null);
        assertEquals(before, fingerprint(), "refused changes changed nothing");

        var changed = call(HttpRequest.PATCH(members(t, t.dev(), t.developer().id()), Map.of("profile", "user")), t.developer());

        assertEquals(HttpStatus.OK, changed.getStatus(), String.valueOf(changed.body()));
        assertEquals("developer", changed.body().get("kind"));
        assertEquals("user", members.findById(new AppMemberRecord.Key(t.appId(), t.developer().id())).orElseThrow().profile());
        for (UUID env : List.of(t.dev(), t.staging(), t.production())) {
            assertEquals(1, count("select count(*) from activity_log where env_id = '" + env + "' and action = 'member-profile-changed'"));
        }
        var production = call(HttpRequest.PATCH(members(t, t.production(), t.productionUser().id()), Map.of("profile", "user")), t.owner());
        assertEquals(HttpStatus.OK, production.getStatus(), String.valueOf(production.body()));
    }

    @Test
    void anInvalidRolesFileIs422AndChangesNothing() throws Exception {
        Team t = team();
        upload(t, "{\"roles\": []}");
        String before = fingerprint();
        var refused = call(HttpRequest.PATCH(members(t, t.dev(), t.developer().id()), Map.of("profile", "user")), t.owner());
        assertProblem(refused, HttpStatus.UNPROCESSABLE_ENTITY, null);
        assertTrue(String.valueOf(refused.body()).contains("roles.json"), String.valueOf(refused.body()));
        assertEquals(before, fingerprint());
    }

    // ---- ownership transfer

    @Test
    void theOwnerOffersTheAppToADeveloperWhoAcceptsAndTheOldOwnerStaysAsADeveloper() throws Exception {
        Team t = team();
        var offered = call(HttpRequest.POST(transfer(t), Map.of("userId", t.developer().id().toString())), t.owner());
        assertEquals(HttpStatus.CREATED, offered.getStatus(), String.valueOf(offered.body()));
        assertEquals(t.developer().id().toString(), offered.body().get("userId"));

        var accepted = call(HttpRequest.POST(transfer(t) + "/accept", Map.of()), t.developer());

        assertEquals(HttpStatus.OK, accepted.getStatus(), String.valueOf(accepted.body()));
        assertEquals(t.developer().id().toString(), accepted.body().get("ownerId"));
        assertEquals(t.owner().id().toString(), accepted.body().get("previousOwnerId"));
        assertEquals(t.developer().id(), apps.findById(t.appId()).orElseThrow().ownerId());
        assertEquals(AppMemberRecord.Role.OWNER, members.findById(new AppMemberRecord.Key(t.appId(), t.developer().id())).orElseThrow().role());
        assertEquals(AppMemberRecord.Role.DEVELOPER, members.findById(new AppMemberRecord.Key(t.appId(), t.owner().id())).orElseThrow().role());
        assertEquals("owner", call(HttpRequest.GET("/api/v1/apps/" + t.appId()), t.developer()).body().get("role"));
        assertEquals("developer", call(HttpRequest.GET("/api/v1/apps/" + t.appId()), t.owner()).body().get("role"));
        // The old owner is a developer now: production and the app's deletion are no longer theirs, the new owner's are.
        assertProblem(call(HttpRequest.DELETE("/api/v1/apps/" + t.appId()), t.owner()), HttpStatus.FORBIDDEN, null);
        assertProblem(call(HttpRequest.DELETE(members(t, t.production(), t.productionUser().id())), t.owner()), HttpStatus.FORBIDDEN, null);
        assertEquals(HttpStatus.NO_CONTENT, call(HttpRequest.DELETE(members(t, t.dev(), t.owner().id())), t.developer()).getStatus());
        assertEquals(0, count("select count(*) from app_transfers where app_id = '" + t.appId() + "'"));
        for (String action : List.of("transfer-offered", "transfer-accepted")) {
            assertEquals(1, count("select count(*) from activity_log where env_id = '" + t.production() + "' and action = '" + action + "'"));
        }
        assertSyncSignalled(t.appId(), t.developer().id());
        assertSyncSignalled(t.appId(), t.owner().id());
    }

    @Test
    void transferRefusalsNameTheFieldAndChangeNothing() throws Exception {
        Team t = team();
        String before = fingerprint();
        assertProblem(call(HttpRequest.POST(transfer(t), Map.of("userId", t.stagingUser().id().toString())), t.owner()),
                HttpStatus.UNPROCESSABLE_ENTITY, "userId");
        assertProblem(call(HttpRequest.POST(transfer(t), Map.of("userId", t.owner().id().toString())), t.owner()),
                HttpStatus.UNPROCESSABLE_ENTITY, "userId");
        assertProblem(call(HttpRequest.POST(transfer(t), Map.of("userId", "nobody")), t.owner()), HttpStatus.BAD_REQUEST, "userId");
        assertProblem(call(HttpRequest.POST(transfer(t), Map.of()), t.owner()), HttpStatus.BAD_REQUEST, "userId");
        assertProblem(call(HttpRequest.POST(transfer(t), Map.of("userId", t.developer().id().toString())), t.developer()),
                HttpStatus.FORBIDDEN, null);
        assertProblem(call(HttpRequest.POST(transfer(t) + "/accept", Map.of()), t.developer()), HttpStatus.NOT_FOUND, null);
        assertProblem(call(HttpRequest.DELETE(transfer(t)), t.owner()), HttpStatus.NOT_FOUND, null);
        UUID sandbox = apps.findSandboxOf(t.owner().id()).orElseThrow().id();
        assertProblem(call(HttpRequest.POST("/api/v1/apps/" + sandbox + "/transfer", Map.of("userId", t.developer().id().toString())),
                t.owner()), HttpStatus.UNPROCESSABLE_ENTITY, null);
        assertEquals(before, fingerprint(), "refused transfers changed nothing");

        // A new offer replaces the pending one; only the person offered accepts; a withdrawn offer is gone.
        User other = signUp();
        members.save(AppMemberRecord.of(t.appId(), other.id(), AppMemberRecord.Role.DEVELOPER));
        assertEquals(HttpStatus.CREATED, call(HttpRequest.POST(transfer(t), Map.of("userId", t.developer().id().toString())), t.owner()).getStatus());
        assertEquals(HttpStatus.CREATED, call(HttpRequest.POST(transfer(t), Map.of("userId", other.id().toString())), t.owner()).getStatus());
        assertProblem(call(HttpRequest.POST(transfer(t) + "/accept", Map.of()), t.developer()), HttpStatus.NOT_FOUND, null);
        assertEquals(HttpStatus.NO_CONTENT, call(HttpRequest.DELETE(transfer(t)), t.owner()).getStatus());
        assertProblem(call(HttpRequest.POST(transfer(t) + "/accept", Map.of()), other), HttpStatus.NOT_FOUND, null);
        assertEquals(t.owner().id(), apps.findById(t.appId()).orElseThrow().ownerId());
        assertEquals(1, count("select count(*) from activity_log where env_id = '" + t.dev() + "' and action = 'transfer-withdrawn'"));
    }

    @Test
    void anAcceptIsRefusedWhileItWouldClashWithTheNewOwnersAppOrAPromotionIsUnderWay() throws Exception {
        Team t = team();
        AppRecord app = apps.findById(t.appId()).orElseThrow();
        var own = call(HttpRequest.POST("/api/v1/apps", Map.of("name", app.name())), t.developer());
        assertEquals(HttpStatus.ACCEPTED, own.getStatus(), String.valueOf(own.body()));
        assertEquals(HttpStatus.CREATED, call(HttpRequest.POST(transfer(t), Map.of("userId", t.developer().id().toString())), t.owner()).getStatus());
        String before = fingerprint();

        var clash = call(HttpRequest.POST(transfer(t) + "/accept", Map.of()), t.developer());

        assertProblem(clash, HttpStatus.CONFLICT, null);
        assertTrue(String.valueOf(clash.body()).contains(app.name()), String.valueOf(clash.body()));
        assertEquals(before, fingerprint(), "the refused accept changed nothing: the offer stands");

        execute("update apps set name = name || '-mine' where id = '" + own.body().get("id") + "'"); // no clash any more
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UUID releaseId = UUID.randomUUID();
        releases.save(new ReleaseRecord(releaseId, t.appId(), "r1", null, t.dev(), "development", ReleaseRecord.Status.READY,
                ReleaseRecord.keyFor(t.appId(), releaseId), "0".repeat(64), 1L, null, t.owner().id(), now, null));
        UUID promotionId = UUID.randomUUID();
        promotions.save(new PromotionRecord(promotionId, t.appId(), releaseId, t.staging(), t.production(), PromotionStatus.AWAITING_APPROVAL,
                PromotionStage.APPROVAL, null, null, now.plus(Duration.ofDays(1)), null, null, null, null, null, t.owner().id(), now, now));
        String withPromotion = fingerprint();
        var busy = call(HttpRequest.POST(transfer(t) + "/accept", Map.of()), t.developer());
        assertProblem(busy, HttpStatus.CONFLICT, null);
        assertTrue(String.valueOf(busy.body()).contains(promotionId.toString()), String.valueOf(busy.body()));
        assertEquals(withPromotion, fingerprint());

        promotions.failUnfinished(promotionId, "test", now);
        assertEquals(HttpStatus.OK, call(HttpRequest.POST(transfer(t) + "/accept", Map.of()), t.developer()).getStatus());
    }

    // ---- the crash between commit and signal

    @Test
    void aSyncRequestLeftByADeadProcessIsSignalledByTheRecovery() throws Exception {
        Team t = team();
        syncs.request(t.appId(), t.stagingUser().id(), Instant.now().minus(Duration.ofMinutes(5)));

        int signalled = recovery.recover(Instant.now().minus(Duration.ofMinutes(1)));

        assertTrue(signalled >= 1, "signalled " + signalled);
        assertEquals(0, count("select count(*) from membership_syncs where app_id = '" + t.appId() + "'"));
        assertSyncSignalled(t.appId(), t.stagingUser().id());
    }

    // ---- helpers

    private void assertSyncSignalled(UUID appId, UUID userId) throws SQLException {
        var info = workflows.getWorkflowServiceStubs().blockingStub().describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace(workflows.getOptions().getNamespace()).setExecution(WorkflowExecution.newBuilder()
                        .setWorkflowId(WorkflowIds.membershipSync(appId.toString(), userId.toString()))).build());
        assertEquals("MembershipSyncWorkflow", info.getWorkflowExecutionInfo().getType().getName());
        assertEquals(0, count("select count(*) from membership_syncs where app_id = '" + appId + "' and user_id = '" + userId + "'"),
                "the request is forgotten once signalled");
    }

    private static String members(Team t, UUID envId, UUID userId) {
        return "/api/v1/apps/" + t.appId() + "/environments/" + envId + "/members/" + userId;
    }

    private static String transfer(Team t) {
        return "/api/v1/apps/" + t.appId() + "/transfer";
    }

    private Team team() {
        User owner = signUp();
        var created = call(HttpRequest.POST("/api/v1/apps", Map.of("name", "team-" + UUID.randomUUID().toString().substring(0, 8))), owner);
        assertEquals(HttpStatus.ACCEPTED, created.getStatus(), String.valueOf(created.body()));
        UUID appId = UUID.fromString((String) created.body().get("id"));
        @SuppressWarnings("unchecked")
        UUID dev = UUID.fromString((String) ((Map<String, Object>) created.body().get("operation")).get("envId"));
        provisioned(dev);
        UUID staging = environment(owner, appId, "staging");
        UUID production = environment(owner, appId, "production");
        User developer = signUp();
        User stagingUser = signUp();
        User productionUser = signUp();
        members.save(AppMemberRecord.of(appId, developer.id(), AppMemberRecord.Role.DEVELOPER));
        environmentUsers.save(EnvironmentUserRecord.of(staging, stagingUser.id()));
        environmentUsers.save(EnvironmentUserRecord.of(production, productionUser.id()));
        return new Team(appId, dev, staging, production, owner, developer, stagingUser, productionUser);
    }

    private UUID environment(User owner, UUID appId, String type) {
        var created = call(HttpRequest.POST("/api/v1/apps/" + appId + "/environments", Map.of("name", type, "type", type)), owner);
        assertEquals(HttpStatus.ACCEPTED, created.getStatus(), String.valueOf(created.body()));
        UUID envId = UUID.fromString((String) created.body().get("id"));
        provisioned(envId);
        return envId;
    }

    private void provisioned(UUID envId) {
        operations.findActiveForEnvironment(envId).ifPresent(op -> operations.finish(op.id(), OperationStatus.SUCCEEDED, null, Instant.now()));
        environments.updateStatus(envId, EnvironmentStatus.RUNNING, null, Instant.now());
        files.createFolders(envId.toString());
    }

    private void upload(Team t, String rolesJson) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
            for (Map.Entry<String, String> file : Map.of("index.html", "<h1>team</h1>", "roles.json", rolesJson).entrySet()) {
                zip.putArchiveEntry(new ZipArchiveEntry(file.getKey()));
                zip.write(file.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeArchiveEntry();
            }
        }
        var uploaded = call(HttpRequest.PUT("/api/v1/apps/" + t.appId() + "/environments/" + t.dev() + "/code", out.toByteArray())
                .contentType(MediaType.of("application/zip")), t.owner());
        assertEquals(HttpStatus.OK, uploaded.getStatus(), String.valueOf(uploaded.body()));
    }

    private User signUp() {
        String email = "team-" + UUID.randomUUID() + "@example.com";
        var created = http.toBlocking().exchange(HttpRequest.POST("/api/v1/accounts", Map.of("email", email, "password", PASSWORD,
                "firstName", "Grace", "lastName", "Hopper")), Argument.mapOf(String.class, Object.class));
        @SuppressWarnings("unchecked")
        UUID id = UUID.fromString((String) ((Map<String, Object>) created.body().get("account")).get("id"));
        String token = (String) http.toBlocking().exchange(HttpRequest.POST("/api/v1/sessions", Map.of("email", email, "password", PASSWORD)),
                Argument.mapOf(String.class, Object.class)).body().get("accessToken");
        return new User(id, email, token);
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

    private static void assertProblem(HttpResponse<Map<String, Object>> response, HttpStatus status, String field) {
        assertEquals(status, response.getStatus(), String.valueOf(response.getBody().orElse(null)));
        if (field != null) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> errors = (List<Map<String, Object>>) response.body().get("errors");
            assertTrue(errors != null && errors.stream().anyMatch(e -> field.equals(e.get("field"))), "names " + field + ": " + response.body());
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = DelegatingDataSource.unwrapDataSource(dataSource).getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = DelegatingDataSource.unwrapDataSource(dataSource).getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }

    /** The rows a membership change may touch, hashed. */
    private String fingerprint() throws SQLException {
        StringBuilder out = new StringBuilder();
        for (String table : List.of("apps", "app_members", "environment_users", "app_transfers", "activity_log", "membership_syncs")) {
            try (Connection c = DelegatingDataSource.unwrapDataSource(dataSource).getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select count(*) || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') from "
                         + table + " t")) {
                rs.next();
                out.append(table).append('=').append(rs.getString(1)).append('\n');
            }
        }
        return out.toString();
    }
}
