package io.cloudplane.api;

import io.cloudplane.workflows.operation.OperationType;
import io.cloudplane.infra.code.CodeArchives;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.code.EnvironmentCodeRepository;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.infra.release.ReleaseRepository;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationStatus;
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
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API of code, releases, deployments, promotions and clones: what it accepts, and that bad
 * input is a problem naming the field and changes nothing. The workflows are tested on their own
 * and end to end (ReleasesIT); here no worker runs.
 */
@MicronautTest(transactional = false)
class ReleasesApiTest {
    @Inject @Client("/") HttpClient http;
    @Inject AppRepository apps;
    @Inject AppMemberRepository members;
    @Inject OperationRepository operations;
    @Inject EnvironmentRepository environments;
    @Inject EnvironmentFiles files;
    @Inject EnvironmentCodeRepository code;
    @Inject ReleaseRepository releases;
    @Inject io.cloudplane.infra.environment.EnvironmentLocks locks;
    @Inject javax.sql.DataSource dataSource;
    @Inject io.temporal.client.WorkflowClient workflowClient;
    @Inject io.cloudplane.infra.server.ServerUpdateRepository serverUpdates;
    @Inject io.cloudplane.infra.release.DeploymentRepository deploymentRows;
    @Inject io.cloudplane.infra.backup.BackupRepository backupRows;
    @Inject io.cloudplane.infra.release.PromotionRepository promotionRows;
    @Inject io.cloudplane.api.operation.OperationLauncher launcher;

    private record User(UUID id, String token, UUID sandboxId) {
    }

    @SuppressWarnings("unchecked")
    private HttpResponse<Map<String, Object>> call(MutableHttpRequest<?> request, String token) {
        request.bearerAuth(token);
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
            String detail = String.valueOf(response.body().get("detail"));
            assertTrue((errors != null && errors.stream().anyMatch(e -> field.equals(e.get("field")))) || detail.contains(field),
                    "names " + field + ": " + response.body());
        }
    }

    private User signUp() {
        String email = "rel-" + UUID.randomUUID() + "@example.com";
        var created = http.toBlocking().exchange(HttpRequest.POST("/api/v1/accounts", Map.of("email", email,
                "password", "correct-horse-battery", "firstName", "Ada", "lastName", "Lovelace")), Argument.mapOf(String.class, Object.class));
        @SuppressWarnings("unchecked")
        UUID id = UUID.fromString((String) ((Map<String, Object>) created.body().get("account")).get("id"));
        String token = (String) http.toBlocking().exchange(HttpRequest.POST("/api/v1/sessions",
                Map.of("email", email, "password", "correct-horse-battery")), Argument.mapOf(String.class, Object.class)).body().get("accessToken");
        return new User(id, token, UUID.fromString((String) created.body().get("sandboxAppId")));
    }

    /** An environment as a finished provisioning leaves it: RUNNING, with its folders, no operation running. */
    private void provisioned(UUID envId) {
        operations.findActiveForEnvironment(envId).ifPresent(op -> operations.finish(op.id(), OperationStatus.SUCCEEDED, null, Instant.now()));
        environments.updateStatus(envId, EnvironmentStatus.RUNNING, null, Instant.now());
        files.createFolders(envId.toString());
    }

    /** The operation a create's 202 answer embeds beside the created resource. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> operation(HttpResponse<Map<String, Object>> created) {
        return (Map<String, Object>) created.body().get("operation");
    }

    private UUID app(User user, String name) {
        var created = call(HttpRequest.POST("/api/v1/apps", Map.of("name", name)), user.token());
        UUID appId = UUID.fromString((String) created.body().get("id"));
        provisioned(UUID.fromString((String) operation(created).get("envId")));
        return appId;
    }

    private UUID environment(User user, UUID appId, String name, String type) {
        var created = call(HttpRequest.POST("/api/v1/apps/" + appId + "/environments", Map.of("name", name, "type", type)), user.token());
        assertEquals(HttpStatus.ACCEPTED, created.getStatus(), String.valueOf(created.body()));
        UUID envId = UUID.fromString((String) created.body().get("id"));
        provisioned(envId);
        return envId;
    }

    private UUID dev(UUID appId) {
        return environments.findByAppId(appId).stream().filter(e -> e.name().equals("development")).findFirst().orElseThrow().id();
    }

    private HttpResponse<Map<String, Object>> upload(User user, UUID appId, UUID envId, byte[] archive, String type) {
        return call(HttpRequest.PUT("/api/v1/apps/" + appId + "/environments/" + envId + "/code", archive)
                .contentType(MediaType.of(type)), user.token());
    }

    private static byte[] site(String text) throws IOException {
        Path dir = Files.createTempDirectory("site-");
        Files.writeString(dir.resolve("index.html"), text);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodeArchives.writeTarGz(dir, out);
        return out.toByteArray();
    }

    private static byte[] zip(String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
            zip.putArchiveEntry(new ZipArchiveEntry(name));
            zip.write(content);
            zip.closeArchiveEntry();
        }
        return out.toByteArray();
    }

    @Test
    void codeGoesToDevelopmentOnlyAndAHostileOrOversizedArchiveIsRefusedAndChangesNothing() throws IOException {
        User ada = signUp();
        UUID appId = app(ada, "uploads");
        UUID devId = dev(appId);
        UUID stagingId = environment(ada, appId, "staging", "staging");

        var good = upload(ada, appId, devId, zip("index.html", "hello".getBytes(StandardCharsets.UTF_8)), "application/zip");
        assertEquals(HttpStatus.OK, good.getStatus(), String.valueOf(good.body()));
        String sha = (String) good.body().get("sha256");
        assertEquals(sha, code.findById(devId).orElseThrow().sha256(), "the digest is recorded");
        assertEquals("hello", Files.readString(files.codeDir(devId.toString()).resolve("index.html")));

        assertProblem(upload(ada, appId, stagingId, site("x"), "application/gzip"), HttpStatus.UNPROCESSABLE_ENTITY, null);
        assertProblem(upload(ada, appId, devId, zip("../../outside.html", new byte[] {1}), "application/zip"), HttpStatus.BAD_REQUEST, "archive");
        assertProblem(upload(ada, appId, devId, zip("/etc/cron.d/x", new byte[] {1}), "application/zip"), HttpStatus.BAD_REQUEST, "archive");
        assertProblem(upload(ada, appId, devId, "not an archive at all".getBytes(StandardCharsets.UTF_8), "application/octet-stream"),
                HttpStatus.BAD_REQUEST, "archive");
        byte[] big = new byte[(int) (1.5 * 1024 * 1024)]; // over cloudplane.code.max-archive-mib: 1 in application-test.yml
        new Random(1).nextBytes(big);
        assertProblem(upload(ada, appId, devId, zip("big.bin", big), "application/zip"), HttpStatus.BAD_REQUEST, "archive");

        // An upload and an operation never overlap: each holds the environment against the other.
        try (var upload = locks.tryHoldForUpload(devId)) {
            assertTrue(upload != null);
            assertProblem(call(HttpRequest.POST("/api/v1/apps/" + appId + "/environments/" + devId + "/restart", Map.of()), ada.token()),
                    HttpStatus.CONFLICT, null);
            assertTrue(locks.tryHoldForUpload(devId) == null, "a second upload waits its turn");
        }
        assertFalse(operations.findActiveForEnvironment(devId).isPresent(), "the refused restart started nothing");
        var restart = call(HttpRequest.POST("/api/v1/apps/" + appId + "/environments/" + devId + "/restart", Map.of()), ada.token());
        assertEquals(HttpStatus.ACCEPTED, restart.getStatus(), String.valueOf(restart.body()));
        assertProblem(upload(ada, appId, devId, site("during a restart"), "application/gzip"), HttpStatus.CONFLICT, null);
        operations.finish(UUID.fromString((String) restart.body().get("id")), OperationStatus.SUCCEEDED, null, Instant.now());

        assertEquals(sha, code.findById(devId).orElseThrow().sha256(), "nothing changed");
        assertEquals("hello", Files.readString(files.codeDir(devId.toString()).resolve("index.html")));
        try (var trees = Files.list(files.codeDir(devId.toString()).getParent().resolve("code-trees"))) {
            assertEquals(1, trees.count(), "only the uploaded tree: the one it replaced was removed, and the refused uploads left nothing");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theServerVersionCatalogIsListedAndAnEnvironmentSaysWhenANewerVersionExists() throws Exception {
        User ada = signUp();
        var versions = call(HttpRequest.GET("/api/v1/server-versions"), ada.token());
        assertEquals(HttpStatus.OK, versions.getStatus());
        List<Map<String, Object>> items = (List<Map<String, Object>>) versions.body().get("items");
        assertEquals(List.of("1.0.0", "1.1.0"), items.stream().map(v -> v.get("version")).toList());
        assertEquals(List.of(false, true), items.stream().map(v -> v.get("latest")).toList());
        assertEquals(List.of(false, true), items.stream().map(v -> v.get("isDefault")).toList());

        UUID appId = app(ada, "versions");
        UUID devId = dev(appId);
        String env = "/api/v1/apps/" + appId + "/environments/" + devId;
        assertEquals("1.1.0", call(HttpRequest.GET(env), ada.token()).body().get("serverVersion"));
        assertEquals(null, call(HttpRequest.GET(env), ada.token()).body().get("newerServerVersion"), "the newest already");
        try (var c = io.micronaut.data.connection.jdbc.advice.DelegatingDataSource.unwrapDataSource(dataSource).getConnection();
             var st = c.prepareStatement("UPDATE environments SET server_version = '1.0.0' WHERE id = ?")) {
            st.setObject(1, devId);
            st.executeUpdate();
        }
        assertEquals("1.1.0", call(HttpRequest.GET(env), ada.token()).body().get("newerServerVersion"));
    }

    @Test
    void serverUpdatesCheckTheVersionTheRoleAndTheStatusAndRefusedOnesChangeNothing() throws Exception {
        User ada = signUp();
        User bob = signUp();
        UUID appId = app(ada, "updates");
        UUID devId = dev(appId);
        UUID prodId = environment(ada, appId, "production", "production");
        members.save(AppMemberRecord.of(appId, bob.id(), AppMemberRecord.Role.DEVELOPER));
        try (var c = io.micronaut.data.connection.jdbc.advice.DelegatingDataSource.unwrapDataSource(dataSource).getConnection();
             var st = c.prepareStatement("UPDATE environments SET server_version = '1.0.0' WHERE id = ?")) {
            st.setObject(1, devId);
            st.executeUpdate();
        }
        String dev = "/api/v1/apps/" + appId + "/environments/" + devId;
        String prod = "/api/v1/apps/" + appId + "/environments/" + prodId;

        assertProblem(call(HttpRequest.POST(dev + "/update", Map.of()), ada.token()), HttpStatus.BAD_REQUEST, "version");
        assertProblem(call(HttpRequest.POST(dev + "/update", Map.of("version", "7.0.0")), ada.token()),
                HttpStatus.UNPROCESSABLE_ENTITY, "version");
        assertProblem(call(HttpRequest.POST(dev + "/update", Map.of("version", "1.0.0")), ada.token()),
                HttpStatus.UNPROCESSABLE_ENTITY, "version");
        assertProblem(call(HttpRequest.POST(prod + "/update", Map.of("version", "1.0.0")), ada.token()),
                HttpStatus.UNPROCESSABLE_ENTITY, "allowDowngrade");
        assertProblem(call(HttpRequest.POST(prod + "/update", Map.of("version", "1.0.0", "allowDowngrade", true)), bob.token()),
                HttpStatus.FORBIDDEN, null);
        environments.updateStatus(devId, EnvironmentStatus.STOPPED, null, Instant.now());
        var stopped = call(HttpRequest.POST(dev + "/update", Map.of("version", "1.1.0")), bob.token());
        assertProblem(stopped, HttpStatus.CONFLICT, null);
        assertTrue(String.valueOf(stopped.body().get("detail")).contains("start it first"), String.valueOf(stopped.body()));
        for (UUID env : List.of(devId, prodId)) {
            assertFalse(operations.findActiveForEnvironment(env).isPresent(), "a refused update starts nothing");
            assertEquals(List.of(), call(HttpRequest.GET("/api/v1/apps/" + appId + "/environments/" + env + "/updates"), ada.token())
                    .body().get("items"), "and records nothing");
        }

        environments.updateStatus(devId, EnvironmentStatus.RUNNING, null, Instant.now());
        var accepted = call(HttpRequest.POST(dev + "/update", Map.of("version", "1.1.0")), bob.token());
        assertEquals(HttpStatus.ACCEPTED, accepted.getStatus(), String.valueOf(accepted.body()));
        assertEquals(List.of("1.0.0", "1.1.0", false, "PENDING"), List.of(accepted.body().get("fromVersion"),
                accepted.body().get("toVersion"), accepted.body().get("downgrade"), accepted.body().get("status")));
        String updateId = (String) accepted.body().get("id");
        assertEquals(dev + "/updates/" + updateId, accepted.getHeaders().get("Location"));
        assertEquals(updateId, operation(accepted).get("id"), "an update's operation has its ID");
        assertEquals("UPDATE_SERVER", operation(accepted).get("type"));
        var read = call(HttpRequest.GET(accepted.getHeaders().get("Location")), ada.token());
        assertEquals(HttpStatus.OK, read.getStatus(), "Location points at the update");
        assertEquals("1.1.0", read.body().get("toVersion"));
        assertFalse(read.body().containsKey("operation"), String.valueOf(read.body()));
        assertProblem(call(HttpRequest.GET(prod + "/updates/" + updateId), ada.token()), HttpStatus.NOT_FOUND, null);
        OperationRecord op = operations.findById(UUID.fromString(updateId)).orElseThrow();
        assertEquals(OperationType.UPDATE_SERVER, op.type());
        assertEquals("env-update/" + devId, op.workflowId());
        assertProblem(call(HttpRequest.POST(dev + "/update", Map.of("version", "1.1.0")), ada.token()), HttpStatus.CONFLICT, null);
        var downgrade = call(HttpRequest.POST(prod + "/update", Map.of("version", "1.0.0", "allowDowngrade", true)), ada.token());
        assertEquals(HttpStatus.ACCEPTED, downgrade.getStatus(), String.valueOf(downgrade.body()));
        assertEquals(true, downgrade.body().get("downgrade"));
    }

    @Test
    void anUpdateWhoseWorkflowIsTerminatedFailsWithItsEnvironmentInsteadOfStayingUpdating() throws Exception {
        User ada = signUp();
        UUID appId = app(ada, "terminated");
        UUID devId = dev(appId);
        try (var c = io.micronaut.data.connection.jdbc.advice.DelegatingDataSource.unwrapDataSource(dataSource).getConnection();
             var st = c.prepareStatement("UPDATE environments SET server_version = '1.0.0' WHERE id = ?")) {
            st.setObject(1, devId);
            st.executeUpdate();
        }
        var accepted = call(HttpRequest.POST("/api/v1/apps/" + appId + "/environments/" + devId + "/update", Map.of("version", "1.1.0")),
                ada.token());
        assertEquals(HttpStatus.ACCEPTED, accepted.getStatus(), String.valueOf(accepted.body()));
        UUID opId = UUID.fromString((String) operation(accepted).get("id"));
        environments.updateStatus(devId, EnvironmentStatus.UPDATING, null, Instant.now()); // as its begin step does
        try (var c = io.micronaut.data.connection.jdbc.advice.DelegatingDataSource.unwrapDataSource(dataSource).getConnection();
             var st = c.prepareStatement("UPDATE operations SET created_at = created_at - interval '1 minute' WHERE id = ?")) {
            st.setObject(1, opId);
            st.executeUpdate(); // past the reconciler's grace period for operations being launched
        }
        // No worker runs here: the workflow waits, until an operator terminates it.
        workflowClient.newUntypedWorkflowStub("env-update/" + devId).terminate("stuck, said the operator");
        var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        var reconciler = new io.cloudplane.api.operation.OperationReconciler(operations, launcher, workflowClient, environments, java.util.List.of(),
                new io.cloudplane.infra.monitoring.OperationMeters(registry));

        reconciler.reconcile();
        java.util.function.Supplier<Double> failedUpdates = () -> registry.get("cloudplane.operations.finished")
                .tags("type", "UPDATE_SERVER", "outcome", "FAILED").counter().count();
        assertEquals(1.0, failedUpdates.get(), "the operation the reconciler ended is counted among the failed ones");

        OperationRecord op = operations.findById(opId).orElseThrow();
        assertEquals(OperationStatus.FAILED, op.status());
        assertEquals("workflow env-update/" + devId + " ended (terminated) without reporting", op.error());
        var env = environments.findById(devId).orElseThrow();
        assertEquals(EnvironmentStatus.FAILED, env.status(), "not UPDATING for good");
        assertTrue(env.statusReason().startsWith(op.error()), env.statusReason());
        reconciler.reconcile(); // a finished operation is left alone
        assertEquals(1.0, failedUpdates.get(), "and counted once");
        environments.updateStatus(devId, EnvironmentStatus.RUNNING, null, Instant.now());
        reconciler.reconcile();
        assertEquals(EnvironmentStatus.RUNNING, environments.findById(devId).orElseThrow().status());
    }

    @Test
    void aDecisionOnAPromotionWhoseWorkflowIsGoneIsRefusedWithTheReason() {
        User ada = signUp();
        UUID appId = app(ada, "orphan-promotion");
        UUID devId = dev(appId);
        UUID stagingId = environment(ada, appId, "staging", "staging");
        UUID prodId = environment(ada, appId, "production", "production");
        Instant now = Instant.now();
        UUID releaseId = UUID.randomUUID();
        releases.save(new io.cloudplane.infra.release.ReleaseRecord(releaseId, appId, "r", null, devId, "development",
                io.cloudplane.infra.release.ReleaseRecord.Status.READY, "releases/x", "0".repeat(64), 1L, null, ada.id(),
                now, null));
        // As after a restart of the embedded Temporal: the row waits for approval, no workflow does.
        UUID id = UUID.randomUUID();
        promotionRows.save(new io.cloudplane.infra.release.PromotionRecord(id, appId, releaseId, stagingId, prodId,
                io.cloudplane.workflows.release.PromotionStatus.AWAITING_APPROVAL,
                io.cloudplane.workflows.release.PromotionStage.APPROVAL, null, null, null, null, null, null, null, null,
                ada.id(), now, now));
        String path = "/api/v1/apps/" + appId + "/promotions/" + id;

        for (String decision : List.of("approve", "reject")) {
            var refused = call(HttpRequest.POST(path + "/" + decision, Map.of()), ada.token());
            assertProblem(refused, HttpStatus.CONFLICT, null);
            assertTrue(String.valueOf(refused.body()).contains("workflow is gone"), String.valueOf(refused.body()));
        }
        // A refusal changes nothing; PromotionRecovery ends the row.
        assertEquals("AWAITING_APPROVAL", call(HttpRequest.GET(path), ada.token()).body().get("status"));
    }

    @Test
    void theHistoriesAndListsArePagedWithACursor() {
        User ada = signUp();
        UUID appId = app(ada, "paged");
        UUID devId = dev(appId);
        UUID stagingId = environment(ada, appId, "staging", "staging");
        UUID prodId = environment(ada, appId, "production", "production");
        Instant t0 = Instant.parse("2026-11-01T10:00:00Z");
        UUID releaseId = UUID.randomUUID();
        releases.save(new io.cloudplane.infra.release.ReleaseRecord(releaseId, appId, "r", null, devId, "development",
                io.cloudplane.infra.release.ReleaseRecord.Status.READY, "releases/x", "0".repeat(64), 1L, null, ada.id(),
                t0.minusSeconds(60), null));
        Map<String, List<UUID>> lists = new java.util.LinkedHashMap<>();
        for (String list : List.of("updates", "deployments", "backups", "releases", "promotions")) {
            List<UUID> ids = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) {
                // Two rows share each time, so that the id breaks the tie without skipping or repeating one.
                Instant at = t0.plusSeconds(i / 2);
                UUID id = UUID.randomUUID();
                switch (list) {
                    case "updates" -> serverUpdates.save(io.cloudplane.infra.server.ServerUpdateRecord.pending(id, appId, devId,
                            "1.0.0", "1.1.0", false, ada.id(), at));
                    case "deployments" -> deploymentRows.save(io.cloudplane.infra.release.DeploymentRecord.pending(id, appId, devId,
                            releaseId, null, false, ada.id(), at));
                    case "backups" -> backupRows.save(new io.cloudplane.infra.backup.BackupRecord(id, appId, stagingId,
                            io.cloudplane.infra.backup.BackupRecord.Trigger.MANUAL,
                            io.cloudplane.infra.backup.BackupRecord.Status.COMPLETED, null, null, "backups/x/" + id + "/", 1L,
                            null, null, null, ada.id(), null, at, at, at, at));
                    case "releases" -> releases.save(new io.cloudplane.infra.release.ReleaseRecord(id, appId, "r" + i, null, devId,
                            "development", io.cloudplane.infra.release.ReleaseRecord.Status.READY, "releases/" + id, "0".repeat(64),
                            1L, null, ada.id(), at, null));
                    default -> promotionRows.save(new io.cloudplane.infra.release.PromotionRecord(id, appId, releaseId, stagingId,
                            prodId, io.cloudplane.workflows.release.PromotionStatus.FAILED,
                            io.cloudplane.workflows.release.PromotionStage.STAGING, null, null, null, null, null, null, null, "x",
                            ada.id(), at, at));
                }
                ids.add(id);
            }
            // Newest first; PostgreSQL orders uuids as unsigned bytes, as their text sorts.
            Map<UUID, Integer> second = new java.util.HashMap<>();
            for (int i = 0; i < ids.size(); i++) {
                second.put(ids.get(i), i / 2);
            }
            ids.sort(java.util.Comparator.comparing((UUID id) -> second.get(id)).thenComparing(UUID::toString).reversed());
            lists.put(list, ids);
        }
        lists.get("releases").add(releaseId); // the oldest
        lists.forEach((list, expected) -> {
            String base = "/api/v1/apps/" + appId + switch (list) {
                case "updates", "deployments" -> "/environments/" + devId + "/" + list;
                case "backups" -> "/environments/" + stagingId + "/backups";
                default -> "/" + list;
            };
            assertEquals(expected.stream().map(UUID::toString).toList(), pageThrough(base, ada.token()), list + ": each once, newest first");
            assertProblem(call(HttpRequest.GET(base + "?cursor=not-ours"), ada.token()), HttpStatus.BAD_REQUEST, "cursor");
            assertProblem(call(HttpRequest.GET(base + "?limit=0"), ada.token()), HttpStatus.BAD_REQUEST, "limit");
        });
    }

    /** Every id of a list, two a page, following nextCursor; fails on a page that is not OK, or on a loop. */
    @SuppressWarnings("unchecked")
    private List<String> pageThrough(String base, String token) {
        List<String> seen = new java.util.ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var page = call(HttpRequest.GET(base + "?limit=2" + (cursor == null ? "" : "&cursor=" + cursor)), token);
            assertEquals(HttpStatus.OK, page.getStatus(), base + ": " + page.body());
            ((List<Map<String, Object>>) page.body().get("items")).forEach(item -> seen.add((String) item.get("id")));
            cursor = (String) page.body().get("nextCursor");
            assertTrue(++pages < 20, "no end to " + base);
        } while (cursor != null);
        return seen;
    }

    @Test
    void releasesAreValidatedUniquePerAppAndLockedOnceDeployed() throws IOException {
        User ada = signUp();
        UUID appId = app(ada, "releases");
        UUID devId = dev(appId);
        UUID prodId = environment(ada, appId, "production", "production");
        String base = "/api/v1/apps/" + appId + "/releases";

        assertProblem(call(HttpRequest.POST(base, Map.of("name", "r1", "sourceEnvironmentId", devId.toString())), ada.token()),
                HttpStatus.UNPROCESSABLE_ENTITY, "sourceEnvironmentId");
        assertEquals(HttpStatus.OK, upload(ada, appId, devId, site("one"), "application/gzip").getStatus());
        assertProblem(call(HttpRequest.POST(base, Map.of("sourceEnvironmentId", devId.toString())), ada.token()), HttpStatus.BAD_REQUEST, "name");
        assertProblem(call(HttpRequest.POST(base, Map.of("name", "r1", "sourceEnvironmentId", "nope")), ada.token()),
                HttpStatus.BAD_REQUEST, "sourceEnvironmentId");
        assertProblem(call(HttpRequest.POST(base, Map.of("name", "r1", "sourceEnvironmentId", prodId.toString())), ada.token()),
                HttpStatus.UNPROCESSABLE_ENTITY, "sourceEnvironmentId");
        assertEquals(0, releases.findByAppNewestFirst(appId).size(), "refused requests change nothing");

        var created = call(HttpRequest.POST(base, Map.of("name", "r1", "description", "first", "sourceEnvironmentId", devId.toString())),
                ada.token());
        assertEquals(HttpStatus.ACCEPTED, created.getStatus(), String.valueOf(created.body()));
        UUID releaseId = UUID.fromString((String) created.body().get("id"));
        assertEquals(base + "/" + releaseId, created.getHeaders().get("Location"));
        assertEquals(List.of("r1", "first", "CREATING"), List.of(created.body().get("name"), created.body().get("description"),
                created.body().get("status")));
        assertEquals(releaseId.toString(), operation(created).get("id"), "a release's operation has its ID");
        assertEquals("CREATE_RELEASE", operation(created).get("type"));
        var read = call(HttpRequest.GET(base + "/" + releaseId), ada.token());
        assertEquals("r1", read.body().get("name"));
        assertFalse(read.body().containsKey("operation"), String.valueOf(read.body()));
        OperationRecord op = operations.findById(releaseId).orElseThrow();
        assertEquals(OperationType.CREATE_RELEASE, op.type());
        assertEquals("release-create/" + releaseId, op.workflowId());
        operations.finish(op.id(), OperationStatus.SUCCEEDED, null, Instant.now());
        assertProblem(call(HttpRequest.POST(base, Map.of("name", "R1", "sourceEnvironmentId", devId.toString())), ada.token()),
                HttpStatus.CONFLICT, null);

        releases.markReady(releaseId, "0".repeat(64), 10);
        releases.lock(releaseId, Instant.now());
        var locked = call(HttpRequest.DELETE(base + "/" + releaseId), ada.token());
        assertProblem(locked, HttpStatus.CONFLICT, null);
        assertTrue(String.valueOf(locked.body().get("detail")).contains("locked"), String.valueOf(locked.body()));
        assertTrue(releases.existsById(releaseId));
    }

    @Test
    void deploymentsPromotionsAndClonesCheckTheirInputAndRoles() throws IOException {
        User ada = signUp();
        User bob = signUp();
        UUID appId = app(ada, "flow");
        UUID devId = dev(appId);
        members.save(AppMemberRecord.of(appId, bob.id(), AppMemberRecord.Role.DEVELOPER));
        String deployments = "/api/v1/apps/" + appId + "/environments/" + devId + "/deployments";

        assertProblem(call(HttpRequest.POST(deployments, Map.of()), ada.token()), HttpStatus.BAD_REQUEST, "releaseId");
        assertProblem(call(HttpRequest.POST(deployments, Map.of("releaseId", UUID.randomUUID().toString())), ada.token()),
                HttpStatus.BAD_REQUEST, "releaseId");
        assertProblem(call(HttpRequest.POST("/api/v1/apps/" + appId + "/environments/" + devId + "/rollback", Map.of()), ada.token()),
                HttpStatus.UNPROCESSABLE_ENTITY, null);

        // A promotion needs staging and production; the problem names what is missing.
        var promotion = call(HttpRequest.POST("/api/v1/apps/" + appId + "/promotions", Map.of("releaseId", UUID.randomUUID().toString())),
                ada.token());
        assertProblem(promotion, HttpStatus.BAD_REQUEST, "releaseId");
        assertEquals(HttpStatus.OK, upload(ada, appId, devId, site("two"), "application/gzip").getStatus());
        var release = call(HttpRequest.POST("/api/v1/apps/" + appId + "/releases", Map.of("name", "r", "sourceEnvironmentId", devId.toString())),
                ada.token());
        UUID releaseId = UUID.fromString((String) release.body().get("id"));
        operations.finish(releaseId, OperationStatus.SUCCEEDED, null, Instant.now());
        releases.markReady(releaseId, "1".repeat(64), 10);
        var missing = call(HttpRequest.POST("/api/v1/apps/" + appId + "/promotions", Map.of("releaseId", releaseId.toString())), ada.token());
        assertProblem(missing, HttpStatus.UNPROCESSABLE_ENTITY, null);
        assertTrue(String.valueOf(missing.body().get("detail")).contains("staging environment and no production environment"),
                String.valueOf(missing.body()));

        // Production takes the owner; developers promote.
        UUID prodId = environment(ada, appId, "production", "production");
        assertProblem(call(HttpRequest.POST("/api/v1/apps/" + appId + "/environments/" + prodId + "/deployments",
                Map.of("releaseId", releaseId.toString())), bob.token()), HttpStatus.FORBIDDEN, null);
        assertFalse(operations.findActiveForEnvironment(prodId).isPresent(), "a refused deployment starts nothing");
        var deployed = call(HttpRequest.POST(deployments, Map.of("releaseId", releaseId.toString())), bob.token());
        assertEquals(HttpStatus.ACCEPTED, deployed.getStatus(), String.valueOf(deployed.body()));
        String deploymentId = (String) deployed.body().get("id");
        assertEquals(deployments + "/" + deploymentId, deployed.getHeaders().get("Location"));
        assertEquals(List.of(releaseId.toString(), "r", false), List.of(deployed.body().get("releaseId"), deployed.body().get("releaseName"),
                deployed.body().get("rollback")));
        assertEquals(deploymentId, operation(deployed).get("id"), "a deployment's operation has its ID");
        assertEquals("DEPLOY_RELEASE", operation(deployed).get("type"));
        var deployment = call(HttpRequest.GET(deployed.getHeaders().get("Location")), bob.token());
        assertEquals(HttpStatus.OK, deployment.getStatus(), "Location points at the deployment");
        assertEquals(deploymentId, deployment.body().get("id"));
        assertFalse(deployment.body().containsKey("operation"), String.valueOf(deployment.body()));
        assertProblem(call(HttpRequest.GET("/api/v1/apps/" + appId + "/environments/" + prodId + "/deployments/" + deploymentId),
                ada.token()), HttpStatus.NOT_FOUND, null);
        operations.finish(UUID.fromString(deploymentId), OperationStatus.SUCCEEDED, null, Instant.now());

        // One promotion at a time per app; a promoted release is locked.
        environment(ada, appId, "staging", "staging");
        var first = call(HttpRequest.POST("/api/v1/apps/" + appId + "/promotions", Map.of("releaseId", releaseId.toString())), bob.token());
        assertEquals(HttpStatus.ACCEPTED, first.getStatus(), String.valueOf(first.body()));
        assertEquals("/api/v1/apps/" + appId + "/promotions/" + first.body().get("id"), first.getHeaders().get("Location"));
        assertProblem(call(HttpRequest.POST("/api/v1/apps/" + appId + "/promotions", Map.of("releaseId", releaseId.toString())),
                ada.token()), HttpStatus.CONFLICT, null);
        assertProblem(call(HttpRequest.DELETE("/api/v1/apps/" + appId + "/releases/" + releaseId), ada.token()), HttpStatus.CONFLICT, null);
        assertTrue(releases.existsById(releaseId));
        assertProblem(call(HttpRequest.POST("/api/v1/apps/" + appId + "/promotions/" + first.body().get("id") + "/approve", Map.of()),
                bob.token()), HttpStatus.FORBIDDEN, null);

        // Clones: a name is required; the clone is an application owned by the caller, even of a sandbox.
        assertProblem(call(HttpRequest.POST("/api/v1/apps/" + appId + "/clone", Map.of()), bob.token()), HttpStatus.BAD_REQUEST, "name");
        assertProblem(call(HttpRequest.POST("/api/v1/apps/" + ada.sandboxId() + "/clone", Map.of("name", "copy")), ada.token()),
                HttpStatus.UNPROCESSABLE_ENTITY, null); // the sandbox has no code yet
        provisioned(dev(ada.sandboxId()));
        assertEquals(HttpStatus.OK, upload(ada, ada.sandboxId(), dev(ada.sandboxId()), site("sandbox"), "application/gzip").getStatus());
        var fromSandbox = call(HttpRequest.POST("/api/v1/apps/" + ada.sandboxId() + "/clone", Map.of("name", "from-sandbox")), ada.token());
        assertEquals(HttpStatus.ACCEPTED, fromSandbox.getStatus(), String.valueOf(fromSandbox.body()));
        var cloneApp = apps.findById(UUID.fromString((String) fromSandbox.body().get("id"))).orElseThrow();
        assertEquals("APPLICATION", cloneApp.kind().name());
        assertEquals(ada.id(), cloneApp.ownerId());
        assertEquals("/api/v1/apps/" + cloneApp.id(), fromSandbox.getHeaders().get("Location"));
        assertEquals(List.of("from-sandbox", "application", "owner"), List.of(fromSandbox.body().get("name"), fromSandbox.body().get("kind"),
                fromSandbox.body().get("role")));
        assertEquals("CLONE_APPLICATION", operation(fromSandbox).get("type"));
        assertEquals(cloneApp.id().toString(), operation(fromSandbox).get("appId"));
        assertEquals("app-clone/" + cloneApp.id(), operation(fromSandbox).get("workflowId"));

        var byDeveloper = call(HttpRequest.POST("/api/v1/apps/" + appId + "/clone", Map.of("name", "bobs-copy", "releaseId", releaseId.toString())),
                bob.token());
        assertEquals(HttpStatus.ACCEPTED, byDeveloper.getStatus(), String.valueOf(byDeveloper.body()));
        assertEquals(bob.id(), apps.findById(UUID.fromString((String) byDeveloper.body().get("id"))).orElseThrow().ownerId());
        User stranger = signUp();
        assertProblem(call(HttpRequest.POST("/api/v1/apps/" + appId + "/clone", Map.of("name", "x")), stranger.token()), HttpStatus.NOT_FOUND, null);
    }
}
