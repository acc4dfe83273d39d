package io.cloudplane.api.console;

import io.cloudplane.api.JsonCalls;
import io.cloudplane.api.operation.TemporalUiSettings;
import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.domain.DomainRepository;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.infra.sftp.SshKeyRepository;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.context.annotation.Property;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The General and Access files tabs, the apps list's actions and the operator's page, through their
 * forms as a browser posts them: the session cookie (the API's token) and the CSRF token read from the
 * page. Against the embedded PostgreSQL and Temporal without a worker, so operations stay PENDING and
 * the tests set what a workflow would (an environment RUNNING).
 */
@MicronautTest(transactional = false)
@Property(name = "cloudplane.console.operators", value = ConsoleGeneralTest.OPERATOR_EMAIL)
@Property(name = "cloudplane.console.operator-token", value = ConsoleGeneralTest.OPERATOR_TOKEN)
@Property(name = "cloudplane.temporal-ui.url", value = ConsoleGeneralTest.TEMPORAL_UI + "/")
@Property(name = "cloudplane.default-server-version", value = "1.0.0") // so that the Overview offers 1.1.0
class ConsoleGeneralTest {
    static final String OPERATOR_EMAIL = "console-operator@general-test.example.com";
    static final String OPERATOR_TOKEN = "bootstrap-token-of-the-console-general-test";
    static final String TEMPORAL_UI = "http://temporal-ui.example:8233";
    private static final String PASSWORD = "correct-horse-battery";
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    private final HttpClient browser = HttpClient.newHttpClient();
    @Inject EmbeddedServer server;
    @Inject JsonMapper json;
    @Inject OperationRepository operations;
    @Inject EnvironmentRepository environments;
    @Inject AppRepository apps;
    @Inject DomainRepository domains;
    @Inject SshKeyRepository keys;
    @Inject AppMemberRepository members;
    @Inject EnvironmentFiles files;
    @Inject io.temporal.client.WorkflowClient workflows;

    private record User(UUID id, String token) {
    }

    private record Page(int status, String body, HttpResponse<String> response) {
        String location() {
            return response.headers().firstValue("Location").orElse("");
        }
    }

    private record App(UUID id, String name, UUID development, UUID staging) {
    }

    @Test
    void theOverviewOffersTheNewerServerAndTheUpdateIsFollowed() throws Exception {
        User owner = signUp("update");
        App app = createApp(owner, false);
        running(app.development());
        String panel = "/apps/" + app.id() + "?env=" + app.development();
        Page page = get(panel, owner);
        assertEquals(200, page.status(), page.body());
        assertTrue(page.body().contains(">Update to 1.1.0</button>"), "the newer version is offered: " + page.body());
        String update = "/apps/" + app.id() + "/environments/" + app.development() + "/update";
        Page refused = post(update, owner, page, Map.of("version", "9.9.9"));
        assertEquals(422, refused.status(), refused.body());
        Matcher alert = Pattern.compile("id=\"overview-error\"[^>]*>([^<]*)<").matcher(refused.body());
        assertTrue(alert.find() && alert.group(1).contains("9.9.9"), "the API's words on the Overview: " + refused.body());
        assertTrue(operations.findActiveForEnvironment(app.development()).isEmpty(), "a refused update starts nothing");

        Page updated = post(update, owner, page, Map.of("version", "1.1.0"));
        assertEquals(303, updated.status(), updated.body());
        OperationRecord op = operations.findActiveForEnvironment(app.development()).orElseThrow();
        assertEquals("UPDATE_SERVER", op.type().name());
        assertEquals(panel + "&operation=" + op.id(), updated.location(), "the Overview follows the update's steps");
    }

    /** The Overview's Cancel button: on a provisioning before its server only; a cancel that can no longer stop it is said in the API's words. */
    @Test
    void theOverviewCancelsAProvisioningBeforeItsServerAndSaysWhyWhenItCannot() throws Exception {
        User owner = signUp("cancel");
        App app = createApp(owner, false);
        OperationRecord op = operations.findActiveForEnvironment(app.development()).orElseThrow();
        String panel = "/apps/" + app.id() + "?env=" + app.development();
        Page page = get(panel + "&operation=" + op.id(), owner);
        assertEquals(200, page.status(), page.body());
        assertTrue(page.body().contains(">Cancel</button>"), "a provisioning before its server offers Cancel: " + page.body());
        String cancel = "/apps/" + app.id() + "/environments/" + app.development() + "/operations/" + op.id() + "/cancel";

        Page cancelled = post(cancel, owner, page, Map.of());
        assertEquals(303, cancelled.status(), cancelled.body());
        assertEquals(panel + "&operation=" + op.id(), cancelled.location(), "the Overview follows the operation to its end");
        assertTrue(workflows.fetchHistory(op.workflowId()).getEvents().stream().anyMatch(e -> e.getEventType()
                == io.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED), "the workflow was asked to cancel");

        operations.recordProgress(op.id(), OperationStatus.RUNNING, null,
                "[{\"name\":\"start-server\",\"status\":\"RUNNING\",\"startedAt\":1,\"endedAt\":null,\"error\":null}]", null, Instant.now());
        Page past = get(panel + "&operation=" + op.id(), owner);
        assertFalse(past.body().contains(">Cancel</button>"), "no Cancel once the server is being started: " + past.body());
        Page refused = post(cancel, owner, past, Map.of());
        assertEquals(409, refused.status(), refused.body());
        Matcher alert = Pattern.compile("id=\"overview-error\"[^>]*>([^<]*)<").matcher(refused.body());
        assertTrue(alert.find() && alert.group(1).contains("has reached its server"), "the API's words on the Overview: " + refused.body());
    }

    @Test
    void theServerIsStoppedAndStartedAndItsAccessChanged() throws Exception {
        User owner = signUp("general");
        App app = createApp(owner, false);
        running(app.development());
        String general = "/apps/" + app.id() + "/environments/" + app.development() + "/general";
        Page page = get(general, owner);
        assertEquals(200, page.status(), page.body());
        assertTrue(page.body().contains("value=\"stop\"") && page.body().contains("value=\"restart\""), page.body());
        assertTrue(page.body().contains("Custom domains are for staging and production environments"), "development says so");

        Page stopped = post(general + "/server", owner, page, Map.of("action", "stop"));
        assertEquals(303, stopped.status(), stopped.body());
        OperationRecord stop = operations.findActiveForEnvironment(app.development()).orElseThrow();
        assertEquals("STOP_SERVER", stop.type().name());
        assertEquals("/apps/" + app.id() + "?env=" + app.development() + "&operation=" + stop.id(), stopped.location(),
                "the Overview follows the stop's steps");
        // another action while it runs is refused in the API's words, on the page
        Page busy = post(general + "/server", owner, page, Map.of("action", "restart"));
        assertEquals(409, busy.status());
        assertTrue(busy.body().contains("role=\"alert\"") && busy.body().contains("is running on this environment"), busy.body());
        operations.finish(stop.id(), OperationStatus.SUCCEEDED, null, Instant.now());
        environments.updateStatus(app.development(), EnvironmentStatus.STOPPED, null, Instant.now());
        page = get(general, owner);
        assertTrue(page.body().contains("value=\"start\""), "a stopped server offers Start");
        Page started = post(general + "/server", owner, page, Map.of("action", "start"));
        assertEquals(303, started.status(), started.body());
        assertEquals("START_SERVER", operations.findActiveForEnvironment(app.development()).orElseThrow().type().name());

        // the access setting: shown, changed, and a value that is neither is refused and changes nothing
        assertTrue(page.body().contains("data-access=\"members\""), "a development environment is for members: " + page.body());
        Page changed = post(general + "/access", owner, page, Map.of("access", "public"));
        assertEquals(303, changed.status(), changed.body());
        assertEquals("public", environments.findById(app.development()).orElseThrow().access().name().toLowerCase());
        assertTrue(get(general, owner).body().contains("data-access=\"public\""));
        Page refused = post(general + "/access", owner, page, Map.of("access", "everyone"));
        assertEquals(400, refused.status());
        assertTrue(refused.body().contains("must be public or members") && refused.body().contains("id=\"access-error\""), refused.body());
        assertEquals("public", environments.findById(app.development()).orElseThrow().access().name().toLowerCase());
    }

    @Test
    void aDomainIsAddedWithItsRecordsAndABadOneIsRefusedInTheApisWords() throws Exception {
        User owner = signUp("domains");
        App app = createApp(owner, true);
        String general = "/apps/" + app.id() + "/environments/" + app.staging() + "/general";
        Page page = get(general, owner);
        assertEquals(200, page.status(), page.body());
        String host = "shop-" + UUID.randomUUID().toString().substring(0, 8) + ".example.com";
        Page added = post(general + "/domains", owner, page, Map.of("hostname", host));
        assertEquals(303, added.status(), added.body());
        UUID domainId = domains.findByHostname(host).orElseThrow().id();
        assertEquals(general + "#domain-" + domainId, added.location());
        page = get(general, owner);
        assertTrue(page.body().contains("data-hostname=\"" + host + "\""), page.body());
        assertTrue(page.body().contains("<tr data-type=\"TXT\">") && page.body().contains("<tr data-type=\"CNAME\">"), "the records to create");
        assertTrue(page.body().contains(domains.findByHostname(host).orElseThrow().challengeToken()), "the TXT record's value");
        assertTrue(page.body().contains("Pending verification"), "its status");

        Page bad = post(general + "/domains", owner, page, Map.of("hostname", "not a host name"));
        assertTrue(bad.status() == 400 || bad.status() == 422, bad.status() + " " + bad.body());
        java.util.regex.Matcher alert = java.util.regex.Pattern.compile("id=\"hostname-error\"[^>]*>([^<]*)<").matcher(bad.body());
        assertTrue(alert.find() && alert.group(1).contains("hostname"), "the API's words, naming the field, in the alert: " + bad.body());
        assertTrue(bad.body().contains("aria-invalid=\"true\""), "the field is marked");
        assertTrue(bad.body().contains("value=\"not a host name\""), "what was typed is kept");
        Page taken = post(general + "/domains", owner, page, Map.of("hostname", host));
        assertEquals(409, taken.status(), taken.body());

        // a developer reads the domains but the owner writes them: no form, and a forged post is refused on the page
        User developer = signUp("developer");
        members.save(AppMemberRecord.of(app.id(), developer.id(), AppMemberRecord.Role.DEVELOPER));
        Page asDeveloper = get(general, developer);
        assertEquals(200, asDeveloper.status(), asDeveloper.body());
        assertTrue(asDeveloper.body().contains("data-hostname=\"" + host + "\"") && !asDeveloper.body().contains("Add the domain"));
        Page refusedToDeveloper = post(general + "/domains", developer, asDeveloper, Map.of("hostname", "dev-" + host));
        assertEquals(403, refusedToDeveloper.status());
        assertTrue(refusedToDeveloper.body().contains("role=\"alert\""), refusedToDeveloper.body());
        assertTrue(domains.findByHostname("dev-" + host).isEmpty());

        Page verified = post(general + "/domains/" + domainId + "/verify", owner, page, Map.of());
        assertEquals(303, verified.status(), verified.body());
        Page removed = post(general + "/domains/" + domainId + "/remove", owner, page, Map.of());
        assertEquals(303, removed.status(), removed.body());
        assertTrue(domains.findByHostname(host).isEmpty(), "removed");
        assertFalse(get(general, owner).body().contains(host));
    }

    @Test
    void aWrongConfirmationDeletesNothingTheRightOneDeletesAndAnAppIsCloned() throws Exception {
        User owner = signUp("actions");
        App app = createApp(owner, false);
        Page list = get("/apps", owner);
        assertTrue(list.body().contains("action=\"/apps/" + app.id() + "/delete\""), "the card has the delete form");
        assertTrue(list.body().contains("action=\"/apps/" + app.id() + "/clone\""), "and the clone form");

        // clone: the development environment needs code first
        running(app.development());
        JsonCalls.Answer uploaded = uploadCode(owner, app);
        assertEquals(200, uploaded.status(), uploaded.body().toString());
        String copy = "copy-" + UUID.randomUUID().toString().substring(0, 8);
        Page cloned = post("/apps/" + app.id() + "/clone", owner, list, Map.of("name", copy));
        assertEquals(303, cloned.status(), cloned.body());
        var clone = apps.findAll().stream().filter(a -> a.name().equals(copy)).findFirst().orElseThrow();
        assertEquals(owner.id(), clone.ownerId());
        assertTrue(cloned.location().startsWith("/apps/" + clone.id() + "?operation="), cloned.location());
        Page badClone = post("/apps/" + app.id() + "/clone", owner, list, Map.of("name", "?!"));
        assertEquals(400, badClone.status());
        assertTrue(badClone.body().contains("id=\"name-error\"") && badClone.body().contains("letters, digits"), badClone.body());

        Page wrong = post("/apps/" + app.id() + "/delete", owner, list, Map.of("confirm", app.name() + "x"));
        assertEquals(422, wrong.status());
        assertTrue(wrong.body().contains("role=\"alert\"") && wrong.body().contains("nothing was deleted"), wrong.body());
        assertEquals("ACTIVE", apps.findById(app.id()).orElseThrow().status().name(), "nothing deleted");
        assertTrue(operations.findActiveForApp(app.id()).isEmpty(), "no deletion started");

        Page deleted = post("/apps/" + app.id() + "/delete", owner, list, Map.of("confirm", app.name()));
        assertEquals(303, deleted.status(), deleted.body());
        OperationRecord deletion = operations.findActiveForApp(app.id()).orElseThrow();
        assertEquals("DELETE_APPLICATION", deletion.type().name());
        assertEquals("/apps/operations/" + deletion.id(), deleted.location());
        Page progress = get(deleted.location(), owner);
        assertEquals(200, progress.status(), progress.body());
        assertTrue(progress.body().contains("data-operation-id=\"" + deletion.id() + "\"") && progress.body().contains("hx-get"),
                "the page follows the deletion while it runs");
        assertEquals(404, get(deleted.location(), signUp("stranger")).status(), "a stranger does not see it");

        // a sandbox is not deleted from the console either: the API's rule
        Page sandboxList = get("/apps", owner);
        assertFalse(sandboxList.body().contains("action=\"/apps/" + sandboxOf(owner) + "/delete\""), "no delete form on the sandbox");
    }

    @Test
    void aShortLivedPasswordIsShownOnceAndSshKeysAreAddedAndRemoved() throws Exception {
        User owner = signUp("files");
        App app = createApp(owner, false);
        String tab = "/apps/" + app.id() + "/environments/" + app.development() + "/files";
        Page page = get(tab, owner);
        assertEquals(200, page.status(), page.body());
        assertTrue(page.body().contains("id=\"sftp-host\"") && page.body().contains("id=\"sftp-fingerprint\">SHA256:"), page.body());
        assertTrue(page.body().contains("/code") && page.body().contains("/resources"), "the folders");

        Page password = post(tab + "/password", owner, page, Map.of());
        assertEquals(200, password.status(), password.body());
        Matcher shown = Pattern.compile("id=\"sftp-password\">([A-Za-z0-9]{32})<").matcher(password.body());
        assertTrue(shown.find(), password.body());
        assertTrue(password.body().contains("valid until"), "with its expiry");
        assertFalse(get(tab, owner).body().contains(shown.group(1)), "shown once");

        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        String publicKey = PublicKeyEntry.toString(rsa.generateKeyPair().getPublic());
        Page added = post(tab + "/keys", owner, page, Map.of("name", "laptop", "publicKey", publicKey));
        assertEquals(303, added.status(), added.body());
        var key = keys.findByUserIdOrderByCreatedAt(owner.id()).stream().filter(k -> k.name().equals("laptop")).findFirst().orElseThrow();
        page = get(tab, owner);
        assertTrue(page.body().contains("data-key-name=\"laptop\""), page.body());
        Page again = post(tab + "/keys", owner, page, Map.of("name", "desk", "publicKey", publicKey));
        assertEquals(409, again.status(), "a key is registered once");
        assertTrue(again.body().contains("id=\"publicKey-error\""), again.body());
        Page bad = post(tab + "/keys", owner, page, Map.of("name", "junk", "publicKey", "ssh-rsa nonsense"));
        assertEquals(400, bad.status());
        assertTrue(bad.body().contains("id=\"publicKey-error\"") && bad.body().contains("value=\"junk\""), bad.body());

        Page removed = post(tab + "/keys/" + key.id() + "/remove", owner, page, Map.of());
        assertEquals(303, removed.status(), removed.body());
        assertTrue(keys.findByUserIdOrderByCreatedAt(owner.id()).isEmpty(), "removed");
        assertEquals(404, get(tab, signUp("stranger")).status(), "a stranger does not see the tab");
    }

    @Test
    void theOperatorsPageIsForOperatorsByEmailOrTokenAndLinksToTheTemporalUi() throws Exception {
        User owner = signUp("operated");
        App app = createApp(owner, false);
        OperationRecord provisioning = operations.findActiveForEnvironment(app.development()).orElseThrow();

        // not an operator: 404, and the token's form; a wrong token is refused
        assertEquals(404, get("/operator", owner).status());
        assertEquals(404, get("/operator/operations/" + provisioning.id(), owner).status());
        Page signIn = get("/operator/sign-in", owner);
        assertEquals(200, signIn.status(), signIn.body());
        Page wrong = post("/operator/sign-in", owner, signIn, Map.of("token", OPERATOR_TOKEN + "x"));
        assertEquals(403, wrong.status());
        assertEquals(404, get("/operator", owner).status());
        Page right = post("/operator/sign-in", owner, signIn, Map.of("token", OPERATOR_TOKEN));
        assertEquals(303, right.status(), right.body());
        String cookie = right.response().headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.startsWith(ConsoleOperatorController.COOKIE + "=") && cookie.toLowerCase().contains("httponly"), cookie);
        String operatorCookie = cookie.substring(0, cookie.indexOf(';'));
        Page byToken = get("/operator", owner, operatorCookie);
        assertEquals(200, byToken.status(), byToken.body());
        assertTrue(byToken.body().contains("data-operation-id=\"" + provisioning.id() + "\""), "the running provisioning is listed");
        assertEquals(404, get("/operator", signUp("other"), operatorCookie).status(), "the mark is bound to its session");

        // an operator by email
        User operator = operator();
        Page list = get("/operator", operator);
        assertEquals(200, list.status(), list.body());
        assertTrue(list.body().contains("data-operation-id=\"" + provisioning.id() + "\""), list.body());
        assertTrue(list.body().contains(app.name()), "with its app's name");
        String link = TEMPORAL_UI + "/namespaces/default/workflows/" + URLEncoder.encode(provisioning.workflowId(), StandardCharsets.UTF_8);
        assertTrue(list.body().contains("href=\"" + link + "\""), "the workflow ID links to the Temporal UI: " + link);
        Page detail = get("/operator/operations/" + provisioning.id(), operator);
        assertEquals(200, detail.status(), detail.body());
        assertTrue(detail.body().contains(provisioning.workflowId()), detail.body());
        assertTrue(detail.body().contains("class=\"operator-event\">Workflow execution started<"), "its Temporal history: " + detail.body());
    }

    @Test
    void withoutATemporalUiUrlNoWorkflowIsLinked() {
        TemporalUiSettings none = new TemporalUiSettings("");
        assertEquals(null, none.workflowLink("default", "environment/abc"));
        assertEquals(TEMPORAL_UI + "/namespaces/default/workflows/domain%2Fabc",
                new TemporalUiSettings(TEMPORAL_UI + "/").workflowLink("default", "domain/abc"));
        assertEquals(TEMPORAL_UI + "/namespaces/default/workflows/env-restart%2Fabc/run-1/history",
                new TemporalUiSettings(TEMPORAL_UI).workflowLink("default", "env-restart/abc", "run-1"),
                "with its run ID, the link opens that run (several restarts share the workflow ID)");
    }

    @Test
    void aSleepingSandboxIsWokenFromTheAppsList() throws Exception {
        User owner = signUp("sleeper");
        UUID sandbox = sandboxOf(owner);
        UUID env = environments.findByAppId(sandbox).get(0).id();
        Page awake = get("/apps", owner);
        assertFalse(awake.body().contains("action=\"/apps/" + sandbox + "/wake\""), "an awake sandbox has no Wake button");
        running(env);
        environments.updateStatus(env, EnvironmentStatus.SLEEPING, null, Instant.now());
        // the apps list asks the sleeping sandbox's lifecycle for its deletion date, a query a worker answers: these
        // tests run none, and the list is still answered at once, without the date (the query's deadline)
        long asked = System.nanoTime();
        Page apps = get("/apps", owner);
        long tookMillis = (System.nanoTime() - asked) / 1_000_000;
        assertEquals(200, apps.status(), apps.body());
        assertTrue(tookMillis < 6_000, "the apps list did not wait for a worker: " + tookMillis + " ms");
        assertTrue(apps.body().contains("Sleeping") && apps.body().contains("action=\"/apps/" + sandbox + "/wake\""), apps.body());
        Page list = get("/apps/" + sandbox + "/actions", owner);
        assertEquals(200, list.status(), list.body());
        assertTrue(list.body().contains("action=\"/apps/" + sandbox + "/wake\"") && !list.body().contains("/delete\""), list.body());
        Page woken = post("/apps/" + sandbox + "/wake", owner, list, Map.of());
        assertEquals(303, woken.status(), woken.body());
        OperationRecord wake = operations.findActiveForEnvironment(env).orElseThrow();
        assertEquals("WAKE_SANDBOX", wake.type().name());
        assertEquals("/apps/" + sandbox + "?operation=" + wake.id(), woken.location(), "the panel follows the wake's steps");
        Page again = post("/apps/" + sandbox + "/wake", owner, list, Map.of());
        assertEquals(409, again.status(), "a second wake meanwhile is refused");
        assertTrue(again.body().contains("id=\"wake-error\""), again.body());

        // the progress page polls itself while the operation runs; htmx gets the section alone
        Page progress = get("/apps/operations/" + wake.id(), owner);
        assertTrue(progress.body().contains("<html") && progress.body().contains("hx-trigger=\"every 1s\""), progress.body());
        HttpResponse<String> fragment = browser.send(HttpRequest.newBuilder(URI.create(server.getURI() + "/apps/operations/" + wake.id()))
                .header("Cookie", cookieHeader(owner)).header("HX-Request", "true").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, fragment.statusCode());
        assertTrue(fragment.body().startsWith("<section id=\"progress\"") && !fragment.body().contains("<html"), fragment.body());
        operations.finish(wake.id(), OperationStatus.SUCCEEDED, null, Instant.now());
        progress = get("/apps/operations/" + wake.id(), owner);
        assertTrue(progress.body().contains("data-status=\"SUCCEEDED\"") && !progress.body().contains("hx-trigger"), "it stops polling");
    }

    /** CLOUDPLANE_TEMPORAL_UI_URL, as Micronaut reads environment variables, is the setting cloudplane.temporal-ui.url. */
    @Test
    void theTemporalUiUrlIsReadFromItsEnvironmentVariable() {
        var variables = io.micronaut.context.env.PropertySource.of("env", Map.of("CLOUDPLANE_TEMPORAL_UI_URL", TEMPORAL_UI),
                io.micronaut.context.env.PropertySource.PropertyConvention.ENVIRONMENT_VARIABLE);
        var resolver = new io.micronaut.context.env.PropertySourcePropertyResolver(variables);
        assertEquals(java.util.Optional.of(TEMPORAL_UI), resolver.getProperty("cloudplane.temporal-ui.url", String.class));
        assertEquals("CLOUDPLANE_TEMPORAL_UI_URL", io.cloudplane.infra.config.Settings.environmentName("cloudplane.temporal-ui.url"));
    }

    // ---- helpers

    private User operator() throws Exception {
        JsonCalls.Answer created = calls().call("POST", "/api/v1/accounts", Map.of("email", OPERATOR_EMAIL, "password", PASSWORD,
                "firstName", "Olga", "lastName", "Operator"), null);
        assertTrue(created.status() == 201 || created.status() == 409, created.toString()); // the data folder outlives a run
        return session(OPERATOR_EMAIL);
    }

    private User signUp(String who) throws Exception {
        String email = "console-" + who + "-" + UUID.randomUUID() + "@example.com";
        JsonCalls.Answer created = calls().call("POST", "/api/v1/accounts", Map.of("email", email, "password", PASSWORD,
                "firstName", "Ada", "lastName", "General"), null);
        assertEquals(201, created.status(), created.body().toString());
        return session(email);
    }

    private User session(String email) throws Exception {
        JsonCalls.Answer session = calls().call("POST", "/api/v1/sessions", Map.of("email", email, "password", PASSWORD), null);
        assertEquals(200, session.status(), session.body().toString());
        String token = (String) session.body().get("accessToken");
        // the session token is a JWT whose subject is the user's ID
        Map<?, ?> claims = json.readValue(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]), Map.class);
        return new User(UUID.fromString((String) claims.get("sub")), token);
    }

    private App createApp(User owner, boolean withStaging) throws Exception {
        String name = "gen-" + UUID.randomUUID().toString().substring(0, 8);
        JsonCalls.Answer created = calls().call("POST", "/api/v1/apps", Map.of("name", name), owner.token());
        assertEquals(202, created.status(), created.body().toString());
        UUID appId = UUID.fromString((String) created.body().get("id"));
        UUID dev = UUID.fromString((String) ((Map<?, ?>) created.body().get("operation")).get("envId"));
        UUID staging = null;
        if (withStaging) {
            JsonCalls.Answer env = calls().call("POST", "/api/v1/apps/" + appId + "/environments", Map.of("name", "staging", "type", "staging"),
                    owner.token());
            assertEquals(202, env.status(), env.body().toString());
            staging = UUID.fromString((String) env.body().get("id"));
        }
        return new App(appId, name, dev, staging);
    }

    private UUID sandboxOf(User user) {
        return apps.findAll().stream().filter(a -> a.ownerId().equals(user.id()) && a.kind().name().equals("SANDBOX"))
                .findFirst().orElseThrow().id();
    }

    /** What the provisioning workflow would do: its operation done, the environment running with its folders. */
    private void running(UUID envId) {
        operations.findActiveForEnvironment(envId).ifPresent(op -> operations.finish(op.id(), OperationStatus.SUCCEEDED, null, Instant.now()));
        environments.updateStatus(envId, EnvironmentStatus.RUNNING, null, Instant.now());
        files.createFolders(envId.toString());
    }

    private JsonCalls.Answer uploadCode(User owner, App app) throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("site-");
        java.nio.file.Files.writeString(dir.resolve("index.html"), "hello");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        io.cloudplane.infra.code.CodeArchives.writeTarGz(dir, out);
        HttpResponse<String> put = browser.send(HttpRequest.newBuilder(URI.create(server.getURI() + "/api/v1/apps/" + app.id()
                        + "/environments/" + app.development() + "/code")).header("Authorization", "Bearer " + owner.token())
                .header("Content-Type", "application/gzip").PUT(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
        return new JsonCalls.Answer(put.statusCode(), Map.of("body", put.body()));
    }

    private Page get(String path, User user, String... cookies) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.getURI() + path)).GET();
        request.header("Cookie", cookieHeader(user, cookies));
        return send(request.build());
    }

    /** The form as a browser posts it: the page's CSRF token, urlencoded. */
    private Page post(String path, User user, Page from, Map<String, String> fields) throws Exception {
        Matcher csrf = CSRF.matcher(from.body());
        assertTrue(csrf.find(), "the page has a CSRF token: " + from.body());
        Map<String, String> form = new LinkedHashMap<>();
        form.put("csrf", csrf.group(1));
        form.putAll(fields);
        String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(URI.create(server.getURI() + path)).header("Cookie", cookieHeader(user))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static String cookieHeader(User user, String... more) {
        return ConsoleSession.COOKIE + "=" + user.token() + (more.length == 0 ? "" : "; " + String.join("; ", List.of(more)));
    }

    private Page send(HttpRequest request) throws Exception {
        HttpResponse<String> response = browser.send(request, HttpResponse.BodyHandlers.ofString());
        return new Page(response.statusCode(), response.body(), response);
    }

    private JsonCalls calls() {
        return new JsonCalls(server, json);
    }
}
