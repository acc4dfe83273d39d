package io.cloudplane.worker.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudplane.infra.code.CodeArchives;
import io.cloudplane.worker.AllInOne;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code cloudplane} CLI against the packaged all-in-one, as a user types it: login, apps and environments, code,
 * releases, deploy, promotion and approval, backups and a restore, logs, members, domains, SFTP; each read's --json
 * parsed; a long operation's progress captured from stderr; --confirm refusals; exit codes. The commands run in this
 * JVM with their own HOME; the launcher script beside the jar runs once as a child process.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliIT {
    private static final String PASSWORD = "correct-horse-battery";
    private static AllInOne cloudplane;
    private static Path home;
    private static CliRunner cli;
    private static String email;
    private static String releaseId;

    @BeforeAll
    static void start() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "cli-").toAbsolutePath();
        // The domain added below is checked against a resolver that answers nothing, not the Internet's.
        cloudplane = new AllInOne(dataDir, Map.of("CLOUDPLANE_DNS_RESOLVER", "127.0.0.1:" + AllInOne.freePort(),
                "CLOUDPLANE_DNS_TIMEOUT", "1s"));
        cloudplane.start();
        home = Files.createDirectories(dataDir.resolve("home"));
        cli = new CliRunner(Map.of("HOME", home.toString()), 100);
        email = "cli-" + UUID.randomUUID() + "@example.com";
        var account = cloudplane.call("POST", "/api/v1/accounts", null,
                Map.of("email", email, "password", PASSWORD, "firstName", "Ada", "lastName", "Lovelace"));
        assertEquals(201, account.status(), account.raw());
    }

    @AfterAll
    static void stop() throws Exception {
        if (cloudplane != null) {
            cloudplane.close();
        }
    }

    private static CliRunner.Result ok(String... args) {
        var result = cli.run(args);
        assertEquals(0, result.exit(), String.join(" ", args) + ": " + result);
        return result;
    }

    private static JsonNode json(String... args) {
        return ok(args).json();
    }

    private static JsonNode named(JsonNode items, String name) {
        return StreamSupport.stream(items.spliterator(), false).filter(i -> name.equals(i.path("name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in " + items));
    }

    @Test
    @Order(1)
    void loginKeepsTheTokenInAFileOnlyItsUserReads() throws Exception {
        var wrong = cli.run(CliRunner.NONE, "not-the-password\n", "login", "--email", email, "--password-stdin",
                "--api-url", cloudplane.baseUrl());
        assertEquals(1, wrong.exit(), wrong.toString());
        Path credentials = home.resolve(".config/cloudplane/credentials");
        assertFalse(Files.exists(credentials), "nothing kept after a refused login");

        // On a terminal: the email asked, the password read without echo (Console.readPassword).
        var typing = new CliRunner.Typing(email, PASSWORD);
        var login = cli.run(typing, "", "login", "--api-url", cloudplane.baseUrl());
        assertEquals(0, login.exit(), login.toString());
        assertEquals(List.of("Email: ", "Password: "), typing.prompts);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials)));
        JsonNode stored = Api.JSON.readTree(credentials.toFile());
        assertEquals(cloudplane.baseUrl(), stored.path("apiUrl").asText());
        assertTrue(stored.path("token").asText().length() > 20, "the session token is kept");

        var again = cli.run(CliRunner.NONE, PASSWORD + "\n", "login", "--email", email, "--password-stdin",
                "--api-url", cloudplane.baseUrl());
        assertEquals(0, again.exit(), again.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials)));
    }

    @Test
    @Order(2)
    void appsCreateFollowsTheProvisioningOnStderrAndEnvsCreateToo() throws Exception {
        JsonNode before = json("apps", "--json");
        assertTrue(before.has("applications") && before.has("shared"), before.toString());

        var created = ok("apps:create", "shop");
        assertTrue(created.out().startsWith("Created shop "), created.toString());
        assertTrue(created.err().contains("PROVISION_ENVIRONMENT: step") && created.err().contains("Done: PROVISION_ENVIRONMENT succeeded"),
                created.toString());

        JsonNode apps = json("apps", "--json");
        assertEquals("shop", named(apps.path("applications"), "shop").path("name").asText());
        var table = ok("apps");
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith("shop") && l.contains("applications")), table.out());

        // The progress display of a long operation, captured: a line per step as it ran, then the outcome.
        var staging = ok("envs:create", "staging", "--type", "staging", "-a", "shop");
        List<String> progress = staging.err().lines().filter(l -> l.startsWith("  PROVISION_ENVIRONMENT: step ")).toList();
        assertTrue(progress.size() >= 3, "several steps followed: " + staging);
        assertTrue(progress.stream().map(l -> l.replaceAll(" \\(.*", "")).distinct().count() >= 2, "distinct steps: " + staging);
        assertTrue(progress.get(progress.size() - 1).endsWith("(SUCCEEDED)"), staging.toString());
        assertTrue(staging.err().contains("Done: PROVISION_ENVIRONMENT succeeded"), staging.toString());

        JsonNode envs = json("envs", "-a", "shop", "--json");
        assertEquals("RUNNING", named(envs.path("items"), "development").path("status").asText(), envs.toString());
        assertEquals("RUNNING", named(envs.path("items"), "staging").path("status").asText(), envs.toString());
        ok("envs:create", "production", "--type", "production", "-a", "shop", "--description", "live");
    }

    @Test
    @Order(3)
    void badInputIsAFailureWithTheProblemsFieldAndAnAmbiguousEnvironmentAUsageError() {
        var bad = cli.run("apps:create", "Not A Name!");
        assertEquals(1, bad.exit(), bad.toString());
        assertTrue(bad.err().contains("name"), "the problem's field: " + bad);
        var unknown = cli.run("envs", "-a", "no-such-app");
        assertEquals(1, unknown.exit(), unknown.toString());
        var ambiguous = cli.run("envs:restart", "-a", "shop");
        assertEquals(2, ambiguous.exit(), "shop has three environments: " + ambiguous);
        assertTrue(ambiguous.err().contains("development") && ambiguous.err().contains("staging"), ambiguous.toString());
    }

    @Test
    @Order(4)
    void codePushUploadsTheFolderAsTheCanonicalArchive() throws Exception {
        Path site = Files.createDirectories(home.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<h1>from the cli</h1>");
        Files.createDirectories(site.resolve("assets"));
        Files.writeString(site.resolve("assets/app.css"), "h1 { color: teal }");
        ByteArrayOutputStream canonical = new ByteArrayOutputStream();
        CodeArchives.writeTarGz(site, canonical);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical.toByteArray()));

        JsonNode pushed = json("code:push", site.toString(), "-a", "shop", "-e", "development", "--json");
        assertEquals(sha, pushed.path("sha256").asText(), pushed.toString());
        assertTrue(ok("code:push", site.toString(), "-a", "shop", "-e", "development").out().contains("sha256 " + sha));
        assertEquals(2, cli.run("code:push", home.resolve("missing").toString(), "-a", "shop", "-e", "development").exit());
    }

    @Test
    @Order(5)
    void aReleaseIsCutDeployedPromotedAndApproved() {
        var release = ok("releases:create", "v1", "--description", "first", "-a", "shop", "-e", "development");
        assertTrue(release.err().contains("Done: "), release.toString());
        JsonNode releases = json("releases", "-a", "shop", "--json");
        JsonNode v1 = named(releases.path("items"), "v1");
        assertEquals("READY", v1.path("status").asText(), releases.toString());
        releaseId = v1.path("id").asText();
        assertTrue(ok("releases", "-a", "shop").out().contains("v1"));

        var deploy = ok("deploy", "v1", "-a", "shop", "-e", "development");
        assertTrue(deploy.out().contains("Deployed v1 to development"), deploy.toString());

        var promote = ok("promote", "v1", "-a", "shop");
        assertTrue(promote.out().contains("AWAITING_APPROVAL"), promote.toString());
        assertTrue(promote.err().contains("promotion: DEPLOYING_STAGING") || promote.err().contains("promotion: AWAITING_APPROVAL"),
                promote.toString());
        var approve = cli.run("promotions:approve", "-a", "shop", "--comment", "ship it", "--json");
        assertEquals(0, approve.exit(), approve.toString());
        assertEquals("SUCCEEDED", approve.json().path("status").asText(), approve.toString());
        var none = cli.run("promotions:approve", "-a", "shop");
        assertEquals(1, none.exit(), "nothing else awaits approval: " + none);
    }

    @Test
    @Order(6)
    void backupsAreCapturedListedAndRestoredOnlyWhenConfirmed() {
        JsonNode captured = json("backups:capture", "-a", "shop", "-e", "staging", "--json");
        assertEquals("COMPLETED", captured.path("status").asText(), captured.toString());
        String backupId = captured.path("id").asText();
        JsonNode backups = json("backups", "-a", "shop", "-e", "staging", "--json");
        assertTrue(backups.path("items").toString().contains(backupId), backups.toString());

        var unconfirmed = cli.run("backups:restore", backupId, "-a", "shop", "-e", "staging");
        assertEquals(2, unconfirmed.exit(), "no terminal, no --confirm: " + unconfirmed);
        assertTrue(unconfirmed.err().contains("--confirm shop"), unconfirmed.toString());
        var mismatched = cli.run("backups:restore", backupId, "-a", "shop", "-e", "staging", "--confirm", "shop-copy");
        assertEquals(2, mismatched.exit(), mismatched.toString());
        var mistyped = cli.run(new CliRunner.Typing("shp"), "", "backups:restore", backupId, "-a", "shop", "-e", "staging");
        assertEquals(2, mistyped.exit(), "typed the wrong name at the prompt: " + mistyped);

        var restored = ok("backups:restore", backupId, "-a", "shop", "-e", "staging", "--confirm", "shop");
        assertTrue(restored.err().contains("Done: RESTORE_ENVIRONMENT succeeded"), restored.toString());
    }

    @Test
    @Order(7)
    void environmentsStopStartAndRestartAndWaitFalseAnswersTheOperationAtOnce() throws Exception {
        ok("envs:stop", "-a", "shop", "-e", "development");
        assertEquals("STOPPED", named(json("envs", "-a", "shop", "--json").path("items"), "development").path("status").asText());
        ok("envs:start", "-a", "shop", "-e", "development");
        var restart = ok("envs:restart", "-a", "shop", "-e", "development", "--wait=false");
        String operationId = restart.out().strip();
        UUID.fromString(operationId);
        assertEquals("", restart.err().lines().filter(l -> l.contains("step")).findAny().orElse(""), "no progress followed");
        var op = cloudplane.awaitOperation(operationId, Api.JSON.readTree(home.resolve(".config/cloudplane/credentials").toFile())
                .path("token").asText(), Duration.ofSeconds(60));
        assertEquals("SUCCEEDED", op.get("status"), op.raw());
    }

    @Test
    @Order(8)
    void logsShowTheServersLastLinesAndTailFollowsThem() throws Exception {
        var logs = ok("logs", "-a", "shop", "-e", "development", "-n", "5");
        long shown = logs.out().lines().count();
        assertTrue(shown >= 1 && shown <= 5, logs.toString());

        var result = new CliRunner.Result[1];
        Thread tail = new Thread(() -> result[0] = cli.run("logs", "--tail", "-a", "shop", "-e", "development", "-n", "3"));
        tail.start();
        Thread.sleep(500);
        // A restart writes new lines to the log, which the tail prints as they come.
        ok("envs:restart", "-a", "shop", "-e", "development");
        Thread.sleep(500);
        tail.interrupt();
        tail.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(tail.isAlive());
        assertEquals(0, result[0].exit(), result[0].toString());
        assertTrue(result[0].out().lines().count() > 3, "lines after the first three: " + result[0]);
    }

    @Test
    @Order(9)
    void membersAreListedAndInvited() {
        JsonNode members = json("members", "-a", "shop", "-e", "development", "--json");
        assertTrue(members.path("members").toString().contains(email), members.toString());
        var invite = ok("members:invite", "grace@example.com", "--first-name", "Grace", "--last-name", "Hopper", "--profile", "user",
                "-a", "shop", "-e", "development");
        assertTrue(invite.out().contains("Invited grace@example.com"), invite.toString());
        JsonNode after = json("members", "-a", "shop", "-e", "development", "--json");
        assertEquals("PENDING", after.path("invitations").get(0).path("status").asText(), after.toString());
        var again = cli.run("members:invite", "grace@example.com", "--first-name", "Grace", "--last-name", "Hopper", "--profile", "user",
                "-a", "shop", "-e", "development");
        assertEquals(1, again.exit(), "already invited: " + again);
        assertTrue(ok("members", "-a", "shop", "-e", "development").out().contains("grace@example.com"));
    }

    @Test
    @Order(10)
    void domainsAreAddedWithTheirDnsRecordsAndListed() {
        var added = ok("domains:add", "shop.example.com", "-a", "shop", "-e", "production");
        assertTrue(added.out().contains("TXT") && added.out().contains("_cloudplane-challenge.shop.example.com"), added.toString());
        JsonNode domains = json("domains", "-a", "shop", "-e", "production", "--json");
        assertEquals("shop.example.com", domains.path("items").get(0).path("hostname").asText(), domains.toString());
        var refused = cli.run("domains:add", "not a host", "-a", "shop", "-e", "production");
        assertEquals(1, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("hostname"), refused.toString());
    }

    @Test
    @Order(11)
    void sftpShowsHowToConnectAndMakesAShortLivedPassword() {
        var shown = ok("sftp", "-a", "shop", "-e", "development");
        assertTrue(shown.out().contains("fingerprint: SHA256:") && shown.out().contains("user name:") && shown.out().contains("port:"),
                shown.toString());
        JsonNode withPassword = json("sftp", "-a", "shop", "-e", "development", "--password", "--json");
        assertEquals(32, withPassword.path("password").path("password").asText().length(), withPassword.toString());
        assertTrue(withPassword.path("userName").asText().contains("+development-shop-"), withPassword.toString());
    }

    @Test
    @Order(12)
    void anAppIsClonedAndDestroyedOnlyWithItsNameConfirmed() {
        var clone = ok("apps:clone", "-a", "shop", "--name", "shop-copy", "--release", "v1");
        assertTrue(clone.out().startsWith("Created shop-copy"), clone.toString());
        assertNotNull(releaseId);

        var unconfirmed = cli.run("apps:destroy", "-a", "shop-copy");
        assertEquals(2, unconfirmed.exit(), unconfirmed.toString());
        var wrong = cli.run("apps:destroy", "-a", "shop-copy", "--confirm", "shop");
        assertEquals(2, wrong.exit(), wrong.toString());
        assertTrue(named(json("apps", "--json").path("applications"), "shop-copy").has("id"), "still there");

        var destroyed = ok("apps:destroy", "-a", "shop-copy", "--confirm", "shop-copy");
        assertTrue(destroyed.err().contains("Done: "), destroyed.toString());
        assertFalse(json("apps", "--json").path("applications").toString().contains("shop-copy"));
    }

    @Test
    @Order(13)
    void theApiKeyAndUrlOverrideTheStoredLoginAndLogoutForgetsIt() throws Exception {
        String token = Api.JSON.readTree(home.resolve(".config/cloudplane/credentials").toFile()).path("token").asText();
        var apiToken = cloudplane.call("POST", "/api/v1/tokens", token, Map.of("name", "cli-it", "scope", "READ"));
        assertEquals(201, apiToken.status(), apiToken.raw());
        Path elsewhere = Files.createDirectories(home.resolve("elsewhere"));
        var withKey = new CliRunner(Map.of("HOME", elsewhere.toString(), "CLOUDPLANE_API_URL", cloudplane.baseUrl(),
                "CLOUDPLANE_API_KEY", apiToken.get("token")), 100);
        var apps = withKey.run("apps", "--json");
        assertEquals(0, apps.exit(), apps.toString());
        assertTrue(apps.json().path("applications").toString().contains("shop"));
        var write = withKey.run("apps:create", "refused");
        assertEquals(1, write.exit(), "a READ token cannot create: " + write);

        ok("logout");
        assertFalse(Files.exists(home.resolve(".config/cloudplane/credentials")));
        assertEquals(1, cli.run("apps").exit());
    }

    @Test
    @Order(14)
    void theLauncherBesideTheJarRunsTheCli() throws Exception {
        Path launcher = AllInOne.jar().toAbsolutePath().resolveSibling("cloudplane");
        assertTrue(Files.isExecutable(launcher), launcher + " is built executable");
        String token = cloudplane.call("POST", "/api/v1/sessions", null, Map.of("email", email, "password", PASSWORD)).get("accessToken");
        Map<String, String> env = new HashMap<>(Map.of("CLOUDPLANE_API_URL", cloudplane.baseUrl(), "CLOUDPLANE_API_KEY", token,
                "HOME", home.toString()));
        var apps = launch(launcher, env, "apps", "--json");
        assertEquals(0, apps.exit(), apps.toString());
        assertTrue(apps.json().path("applications").toString().contains("shop"), apps.toString());
        assertEquals(2, launch(launcher, env, "no:such-command").exit());
        var destroy = launch(launcher, env, "apps:destroy", "-a", "shop");
        assertEquals(2, destroy.exit(), "System.console() is null under a pipe, so --confirm is required: " + destroy);
    }

    private static CliRunner.Result launch(Path launcher, Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        // The launcher runs `java` from the PATH: this JVM's, so that the test does not depend on another.
        builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
        Process process = builder.start();
        process.getOutputStream().close();
        var out = process.getInputStream().readAllBytes();
        var err = process.getErrorStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return new CliRunner.Result(process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }
}
