package io.cloudplane.worker;

import io.cloudplane.infra.sftp.SftpUserNames;
import io.cloudplane.worker.sftp.OpenSshSftp;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16 end to end with OpenSSH's own client ({@code /usr/bin/sftp}) against the packaged all-in-one's SFTP
 * server, reading only what the API gives ({@code GET …/sftp}: host, port, user name, host key fingerprint):
 * a key login in batch mode, password logins through {@code SSH_ASKPASS} (the account's password, then a
 * short-lived one), {@code put}/{@code get}/{@code rename}/{@code rm}/{@code mkdir}; every way out of the
 * environment tried; another app's environment, an end user, a removed member whose open session ends; the
 * quota; a file put into development {@code /code} served at once and carried by the next release into
 * staging, whose {@code /code} is read-only; one {@code sftp-session} activity-log entry per session.
 */
class SftpIT {
    private static final String PASSWORD = "correct-horse-battery";
    private static final int QUOTA_MB = 5;

    private AllInOne cloudplane;
    private Path work;
    private Path knownHosts;
    private int sftpPort;

    private static String newEmail(String who) {
        return who + "-" + UUID.randomUUID() + "@example.com";
    }

    @Test
    void openSshsSftpClientGetsIntoItsEnvironmentOnlyAndChangesAreSeenLoggedAndReleased() throws Exception {
        OpenSshSftp.requireInstalled();
        Path dataDir = Files.createTempDirectory(Path.of("target"), "sftp-").toAbsolutePath();
        work = Files.createDirectories(dataDir.resolve("client"));
        sftpPort = AllInOne.freePort();
        try (AllInOne all = new AllInOne(dataDir.resolve("cloudplane"), Map.of(
                "CLOUDPLANE_SFTP_PORT", Integer.toString(sftpPort),
                "CLOUDPLANE_SFTP_QUOTA_MB", Integer.toString(QUOTA_MB),
                // the refusals below are many from 127.0.0.1 and some for Olive; the limits themselves are the server's tests'
                "CLOUDPLANE_SFTP_FAILED_LOGINS_PER_ADDRESS", "1000",
                "CLOUDPLANE_SFTP_FAILED_LOGINS_PER_ACCOUNT", "1000",
                "CLOUDPLANE_DEPLOY_HEALTH_TIMEOUT", "60s"))) {
            cloudplane = all;
            Path outbox = all.dataDir().resolve("outbox");
            cloudplane.start();

            // Olive owns "shop": development and staging.
            String oliveEmail = newEmail("olive");
            String olive = signUp(oliveEmail, "Olive");
            var app = cloudplane.call("POST", "/api/v1/apps", olive, Map.of("name", "shop"));
            assertEquals(202, app.status(), app.raw());
            String appId = app.get("id");
            String devId = app.get("operation.envId");
            assertEquals("SUCCEEDED", cloudplane.awaitCreated(app, olive, Duration.ofSeconds(120)).get("status"), cloudplane.output());
            var stagingCreated = cloudplane.call("POST", "/api/v1/apps/" + appId + "/environments", olive,
                    Map.of("name", "staging", "type", "staging"));
            assertEquals("SUCCEEDED", cloudplane.awaitCreated(stagingCreated, olive, Duration.ofSeconds(120)).get("status"));
            String stagingId = stagingCreated.get("id");
            String devPath = "/api/v1/apps/" + appId + "/environments/" + devId;
            // Development's code never comes by an upload here: all of it is put over SFTP, and the release packs the tree.
            String stagingPath = "/api/v1/apps/" + appId + "/environments/" + stagingId;
            int devSessions = 0;
            int stagingSessions = 0;

            // What a client needs, from the API; the host key read by ssh-keyscan must be the one it names.
            var devSftp = cloudplane.call("GET", devPath + "/sftp", olive, null);
            assertEquals(200, devSftp.status(), devSftp.raw());
            assertEquals(sftpPort, ((Number) devSftp.get("port")).intValue(), devSftp.raw());
            String devUser = devSftp.get("userName");
            String host = devSftp.get("host");
            assertTrue(List.of("localhost", "127.0.0.1").contains(host), devSftp.raw());
            assertFalse(devUser.contains("@"), "no second @ in the user name: " + devUser);
            var parsedDev = SftpUserNames.parse(devUser).orElseThrow(() -> new AssertionError("not a Cloudplane user name: " + devUser));
            assertEquals(oliveEmail, parsedDev.email());
            assertTrue(parsedDev.hostLabel().startsWith("development-shop-"), devUser);
            String fingerprint = devSftp.get("hostKeyFingerprint");
            assertTrue(fingerprint.startsWith("SHA256:"), devSftp.raw());
            assertTrue(devSftp.raw().contains("/code") && devSftp.raw().contains("/resources"), "the folders: " + devSftp.raw());
            knownHosts = OpenSshSftp.knownHosts(work.resolve("known_hosts"), "127.0.0.1", sftpPort, fingerprint);
            var stagingSftp = cloudplane.call("GET", stagingPath + "/sftp", olive, null);
            assertEquals(200, stagingSftp.status(), stagingSftp.raw());
            assertEquals(fingerprint, stagingSftp.get("hostKeyFingerprint"), "one host key for every environment");
            String stagingUser = stagingSftp.get("userName");

            // A key registered on the account: batch mode, no password anywhere.
            OpenSshSftp.Key oliveKey = OpenSshSftp.newKey(work.resolve("keys"), "olive");
            var registered = cloudplane.call("POST", "/api/v1/account/ssh-keys", olive, Map.of("name", "laptop", "publicKey", oliveKey.publicKey()));
            assertEquals(201, registered.status(), registered.raw());
            OpenSshSftp dev = sftp(devUser).withKey(oliveKey);
            byte[] hello = randomBytes(200_000, 1);
            Path helloFile = write("hello.bin", hello);
            Path back = work.resolve("hello-back.bin");
            var moved = dev.batch("mkdir /resources/docs", "put " + helloFile + " /resources/docs/hello.bin",
                    "get /resources/docs/hello.bin " + back, "rename /resources/docs/hello.bin /resources/docs/renamed.bin",
                    "put " + helloFile + " /resources/docs/gone.bin", "rm /resources/docs/gone.bin", "ls -1 /resources/docs");
            devSessions++;
            assertEquals(0, moved.exit(), moved + "\n" + cloudplane.output());
            assertArrayEquals(hello, Files.readAllBytes(back), "get brings back the bytes put");
            Path devResources = environmentDir(devId).resolve("resources");
            assertArrayEquals(hello, Files.readAllBytes(devResources.resolve("docs/renamed.bin")), "on the environment's disk");
            assertFalse(Files.exists(devResources.resolve("docs/hello.bin")));
            assertFalse(Files.exists(devResources.resolve("docs/gone.bin")));
            assertEquals(List.of("/resources/docs/renamed.bin"), listing(moved), moved.toString());
            var devLog = awaitSessions(devPath, olive, devSessions);
            String first = devLog.get(0).get("detail") + " " + devLog.get(0).get("who");
            // from where, and what changed: 2 files of 200,000 bytes written, one removed, one renamed, a folder made
            for (String seen : List.of("from 127.0.0.1", "wrote 2 files (390.6 KB)", "removed 1", "renamed 1", "made 1 folder", oliveEmail)) {
                assertTrue(first.contains(seen), "the session's entry says what changed and who: " + devLog.get(0));
            }

            // Passwords through SSH_ASKPASS, no tty: the account's own, then a short-lived one; a wrong one refused.
            var withAccountPassword = sftp(devUser).withPassword(PASSWORD).batch("pwd", "ls -1 /");
            devSessions++;
            assertEquals(0, withAccountPassword.exit(), withAccountPassword.toString());
            assertTrue(listing(withAccountPassword).containsAll(List.of("/code", "/resources")),
                    withAccountPassword.toString());
            var shortLived = cloudplane.call("POST", devPath + "/sftp/passwords", olive, null);
            assertTrue(shortLived.status() == 201 || shortLived.status() == 200, shortLived.raw());
            assertEquals(devUser, shortLived.get("userName"));
            assertNotNull(shortLived.get("expiresAt"), shortLived.raw());
            String shortPassword = shortLived.get("password");
            var withShortLived = sftp(devUser).withPassword(shortPassword).batch("ls -1 /resources/docs");
            devSessions++;
            assertEquals(0, withShortLived.exit(), withShortLived.toString());
            assertTrue(listing(withShortLived).contains("/resources/docs/renamed.bin"), withShortLived.toString());
            var wrong = sftp(devUser).withPassword("not-" + shortPassword).batch("ls");
            assertTrue(wrong.loginRefused(), wrong.toString());

            // No way out: "..", absolute paths, symbolic links made through SFTP or already there, hard links.
            var root = dev.batch("-cd ..", "-cd ../..", "pwd", "ls -1a");
            devSessions++;
            assertEquals(0, root.exit(), root.toString());
            assertTrue(root.stdout().contains("Remote working directory: /\n"), "cd .. from the root stays at the root: " + root);
            List<String> listed = listing(root).stream().filter(l -> !l.startsWith("Remote working") && !l.equals(".") && !l.equals(".."))
                    .sorted().toList();
            assertEquals(List.of("code", "resources"), listed, "the root holds the environment's two folders only: " + root);
            Files.createDirectories(devResources);
            Files.createSymbolicLink(devResources.resolve("outside"), Path.of("/etc"));
            Files.createSymbolicLink(devResources.resolve("passwd"), Path.of("/etc/passwd"));
            Files.createSymbolicLink(devResources.resolve("keys"), cloudplane.dataDir().resolve("keys"));
            Path stolen = work.resolve("stolen");
            for (String escape : List.of("get /etc/passwd " + stolen, "get ../../../../../../etc/passwd " + stolen,
                    "get /resources/../../../../../etc/passwd " + stolen, "get /resources/passwd " + stolen,
                    "get /resources/outside/passwd " + stolen, "get /resources/keys/postgres.key " + stolen,
                    "ls /resources/outside/", "cd /etc", "put " + helloFile + " /resources/outside/evil",
                    "put " + helloFile + " /../../evil")) {
                var attempt = dev.batch(escape);
                devSessions++;
                assertTrue(attempt.exit() != 0 && !attempt.loginRefused(), "refused inside the session: " + escape + "\n" + attempt);
                assertFalse(Files.exists(stolen, LinkOption.NOFOLLOW_LINKS), escape + " brought something out");
                assertFalse(attempt.stdout().contains("root:"), escape + " listed or read /etc:\n" + attempt);
            }
            assertFalse(Files.exists(Path.of("/etc/evil")) || Files.exists(environmentDir(devId).getParent().resolve("evil")));
            var symlink = dev.batch("ln -s /etc/passwd /resources/link");
            devSessions++;
            assertTrue(symlink.exit() != 0, "a symbolic link made through SFTP: " + symlink);
            var relative = dev.batch("ln -s ../code /resources/docs/link");
            devSessions++;
            assertTrue(relative.exit() != 0, "even one pointing inside: " + relative);
            var hardLink = dev.batch("ln /resources/docs/renamed.bin /resources/docs/hard.bin");
            devSessions++;
            assertTrue(hardLink.exit() != 0, "a hard link: " + hardLink);
            assertFalse(Files.exists(devResources.resolve("link"), LinkOption.NOFOLLOW_LINKS));
            assertFalse(Files.exists(devResources.resolve("docs/link"), LinkOption.NOFOLLOW_LINKS));
            assertFalse(Files.exists(devResources.resolve("docs/hard.bin"), LinkOption.NOFOLLOW_LINKS));
            for (String planted : List.of("outside", "passwd", "keys")) {
                Files.delete(devResources.resolve(planted));
            }

            // The quota: a put past it fails with an SFTP status, and the environment takes writes again once freed.
            Path big = write("big.bin", randomBytes((QUOTA_MB + 1) * 1024 * 1024, 2));
            var overQuota = dev.batch("put " + big + " /resources/big.bin");
            devSessions++;
            assertTrue(overQuota.exit() != 0 && !overQuota.loginRefused(), "a put past the quota: " + overQuota);
            assertTrue(overQuota.stderr().matches("(?s).*(quota|Quota|Failure|No space|Couldn't write|Unknown status).*"),
                    "the client reports the server's status: " + overQuota);
            var freed = dev.batch("-rm /resources/big.bin", "put " + helloFile + " /resources/after-quota.bin");
            devSessions++;
            assertEquals(0, freed.exit(), freed.toString());

            // Another app's environment: refused at login.
            String bobEmail = newEmail("bob");
            String bob = signUp(bobEmail, "Bob");
            var bobApp = cloudplane.call("POST", "/api/v1/apps", bob, Map.of("name", "other"));
            assertEquals("SUCCEEDED", cloudplane.awaitCreated(bobApp, bob, Duration.ofSeconds(120)).get("status"));
            String bobEnvPath = "/api/v1/apps/" + bobApp.get("id") + "/environments/" + bobApp.get("operation.envId");
            assertTrue(cloudplane.call("GET", bobEnvPath + "/sftp", olive, null).status() / 100 == 4, "not Olive's app");
            var bobSftp = cloudplane.call("GET", bobEnvPath + "/sftp", bob, null);
            assertEquals(200, bobSftp.status(), bobSftp.raw());
            String bobLabel = SftpUserNames.parse(bobSftp.get("userName")).orElseThrow().hostLabel();
            var otherApp = sftp(SftpUserNames.of(oliveEmail, bobLabel)).withKey(oliveKey).batch("ls /resources");
            assertTrue(otherApp.loginRefused(), "Olive into Bob's app: " + otherApp);
            var otherAppPassword = sftp(SftpUserNames.of(oliveEmail, bobLabel)).withPassword(PASSWORD).batch("ls /resources");
            assertTrue(otherAppPassword.loginRefused(), "with her password either: " + otherAppPassword);

            // An end user of staging: refused.
            String eveEmail = newEmail("eve");
            var inviteEve = cloudplane.call("POST", stagingPath + "/members", olive, Map.of("email", eveEmail, "firstName", "Eve",
                    "lastName", "User", "profile", "user"));
            assertEquals(201, inviteEve.status(), inviteEve.raw());
            signUpInvited(outbox, eveEmail, "Eve");
            String eve = session(eveEmail);
            OpenSshSftp.Key eveKey = OpenSshSftp.newKey(work.resolve("keys"), "eve");
            assertEquals(201, cloudplane.call("POST", "/api/v1/account/ssh-keys", eve, Map.of("name", "eve", "publicKey", eveKey.publicKey())).status());
            String stagingLabel = SftpUserNames.parse(stagingUser).orElseThrow().hostLabel();
            var endUser = sftp(SftpUserNames.of(eveEmail, stagingLabel)).withKey(eveKey).batch("ls /resources");
            assertTrue(endUser.loginRefused(), "an end user: " + endUser);
            var endUserPassword = sftp(SftpUserNames.of(eveEmail, stagingLabel)).withPassword(PASSWORD).batch("ls /resources");
            assertTrue(endUserPassword.loginRefused(), "an end user with her password: " + endUserPassword);

            // A developer removed from the team: their open session ends within seconds.
            String graceEmail = newEmail("grace");
            var inviteGrace = cloudplane.call("POST", devPath + "/members", olive, Map.of("email", graceEmail, "firstName", "Grace",
                    "lastName", "Hopper", "profile", "user"));
            assertEquals(201, inviteGrace.status(), inviteGrace.raw());
            String graceId = signUpInvited(outbox, graceEmail, "Grace");
            String grace = session(graceEmail);
            OpenSshSftp.Key graceKey = OpenSshSftp.newKey(work.resolve("keys"), "grace");
            assertEquals(201, cloudplane.call("POST", "/api/v1/account/ssh-keys", grace, Map.of("name", "grace", "publicKey", graceKey.publicKey())).status());
            String graceUser = cloudplane.call("GET", devPath + "/sftp", grace, null).get("userName");
            assertEquals(SftpUserNames.of(graceEmail, parsedDev.hostLabel()), graceUser);
            OpenSshSftp graceSftp = sftp(graceUser).withKey(graceKey);
            long removalMillis;
            try (OpenSshSftp.Interactive open = graceSftp.open()) {
                devSessions++;
                open.send("ls -1 /resources/docs");
                await("Grace's session open and listing").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                        .until(() -> open.output().contains("renamed.bin") || !open.alive());
                assertTrue(open.connected(), "the session is open: " + open.output());
                long removed = System.nanoTime();
                assertEquals(204, cloudplane.call("DELETE", devPath + "/members/" + graceId, olive, null).status());
                await("the removed member's session ended").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                        .until(() -> !open.connected());
                removalMillis = (System.nanoTime() - removed) / 1_000_000;
                try {
                    open.send("ls -1 /resources/docs");
                } catch (java.io.IOException closed) {
                    // sftp may already have ended
                }
                await("sftp ending at its next command").atMost(Duration.ofSeconds(5)).until(() -> !open.alive());
                assertTrue(open.output().contains("Connection closed"), open.output());
            }
            System.out.println("SftpIT: a removed member's open sftp session ended " + removalMillis + " ms after the DELETE");
            var afterRemoval = graceSftp.batch("ls /resources");
            assertTrue(afterRemoval.loginRefused(), "the removed member logs in no more: " + afterRemoval);

            // Development /code: a file put there is served at once by the development server...
            String marker = "put-by-sftp-" + UUID.randomUUID();
            Path page = write("sftp-page.html", "<h1>" + marker + "</h1>");
            var putCode = dev.batch("put " + page + " /code/sftp-page.html");
            devSessions++;
            assertEquals(0, putCode.exit(), putCode.toString());
            String devPreview = cloudplane.call("GET", devPath, olive, null).get("urls.preview");
            await("the development server serving the page put by SFTP").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> GatewayClient.get(devPreview + "sftp-page.html", olive).body().contains(marker));
            // ... and in the next release, deployed to staging.
            var release = cloudplane.call("POST", "/api/v1/apps/" + appId + "/releases", olive,
                    Map.of("name", "from-sftp", "sourceEnvironmentId", devId));
            assertEquals(202, release.status(), release.raw());
            assertEquals("SUCCEEDED", cloudplane.awaitCreated(release, olive, Duration.ofSeconds(120)).get("status"), cloudplane.output());
            var deploy = cloudplane.call("POST", stagingPath + "/deployments", olive, Map.of("releaseId", release.get("id")));
            assertEquals(202, deploy.status(), deploy.raw());
            assertEquals("SUCCEEDED", cloudplane.awaitCreated(deploy, olive, Duration.ofSeconds(180)).get("status"), cloudplane.output());
            String stagingPreview = cloudplane.call("GET", stagingPath, olive, null).get("urls.preview");
            var served = GatewayClient.get(stagingPreview + "sftp-page.html", olive);
            assertEquals(200, served.status(), served.body());
            assertTrue(served.body().contains(marker), "the release took the code as SFTP left it: " + served.body());

            // Staging: /code read-only (its code comes by releases), /resources read-write.
            OpenSshSftp staging = sftp(stagingUser).withKey(oliveKey);
            Path fromStaging = work.resolve("from-staging.html");
            var readCode = staging.batch("get /code/sftp-page.html " + fromStaging, "put " + helloFile + " /resources/staging.bin");
            stagingSessions++;
            assertEquals(0, readCode.exit(), readCode.toString());
            assertTrue(Files.readString(fromStaging).contains(marker));
            for (String write : List.of("put " + page + " /code/other.html", "rm /code/sftp-page.html", "mkdir /code/new",
                    "rename /code/sftp-page.html /code/moved.html")) {
                var refused = staging.batch(write);
                stagingSessions++;
                assertTrue(refused.exit() != 0 && !refused.loginRefused(), "staging /code is read-only: " + write + "\n" + refused);
            }
            var stillThere = staging.batch("ls -1 /code", "ls -1 /resources");
            stagingSessions++;
            assertEquals(0, stillThere.exit(), stillThere.toString());
            List<String> stagingFiles = listing(stillThere);
            assertTrue(stagingFiles.contains("/code/sftp-page.html") && !stagingFiles.contains("/code/other.html")
                    && !stagingFiles.contains("/code/moved.html") && stagingFiles.contains("/resources/staging.bin"), stillThere.toString());

            // One sftp-session entry per session, on each environment's log.
            List<Map<String, Object>> devEntries = awaitSessions(devPath, olive, devSessions);
            assertTrue(devEntries.stream().anyMatch(e -> graceId.equals(e.get("userId"))), "Grace's session is logged: " + devEntries);
            assertTrue(devEntries.stream().anyMatch(e -> graceId.equals(e.get("userId")) && !String.valueOf(e.get("detail")).contains("wrote")),
                    "Grace's session changed nothing: " + devEntries);
            List<Map<String, Object>> stagingEntries = awaitSessions(stagingPath, olive, stagingSessions);
            assertTrue(stagingEntries.stream().anyMatch(e -> String.valueOf(e.get("detail")).contains("wrote 1 file")), stagingEntries.toString());
        } finally {
            cloudplane = null;
            io.cloudplane.infra.files.FileTrees.delete(work);
        }
    }

    /** OpenSSH's sftp as {@code user}, at the port the API gave, checking the host key it named. */
    private OpenSshSftp sftp(String user) {
        return new OpenSshSftp("127.0.0.1", sftpPort, user, knownHosts, work);
    }

    /** What sftp printed, without the echo of its commands ({@code sftp> …}). */
    private static List<String> listing(OpenSshSftp.Result result) {
        return result.stdout().lines().filter(l -> !l.startsWith("sftp>")).map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private Path environmentDir(String envId) {
        return cloudplane.dataDir().resolve("environments").resolve(envId);
    }

    private Path write(String name, byte[] bytes) throws Exception {
        return Files.write(work.resolve(name), bytes);
    }

    private Path write(String name, String text) throws Exception {
        return write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private String signUp(String email, String firstName) throws Exception {
        var account = cloudplane.call("POST", "/api/v1/accounts", null, Map.of("email", email, "password", PASSWORD,
                "firstName", firstName, "lastName", "Tester"));
        assertEquals(201, account.status(), account.raw());
        return session(email);
    }

    private String session(String email) throws Exception {
        String token = cloudplane.call("POST", "/api/v1/sessions", null, Map.of("email", email, "password", PASSWORD)).get("accessToken");
        assertNotNull(token, "a session for " + email);
        return token;
    }

    /** Signs up the invited person with their mailed token; returns their user ID. */
    private String signUpInvited(Path outbox, String email, String firstName) throws Exception {
        String token = await("the invitation email to " + email).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> InvitationIT.tokenMailedTo(outbox, email), Optional::isPresent).orElseThrow();
        var account = cloudplane.call("POST", "/api/v1/accounts", null, Map.of("email", email, "password", PASSWORD,
                "firstName", firstName, "lastName", "Invited", "invitationToken", token));
        assertEquals(201, account.status(), account.raw());
        return account.get("account.id");
    }

    /** The environment's {@code sftp-session} entries, newest first, once there are exactly {@code count}. */
    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> awaitSessions(String envPath, String token, int count) {
        List<List<Map<String, Object>>> last = new ArrayList<>();
        try {
            return await("the environment's " + count + " sftp-session entries").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        var page = cloudplane.call("GET", envPath + "/activity?limit=200", token, null);
                        assertEquals(200, page.status(), page.raw());
                        List<Map<String, Object>> sessions = ((List<Map<String, Object>>) page.body().get("items")).stream()
                                .filter(e -> "sftp-session".equals(e.get("action"))).toList();
                        last.clear();
                        last.add(sessions);
                        return sessions;
                    }, sessions -> sessions.size() == count);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("expected " + count + " sftp-session entries, one per session: " + last, e);
        }
    }
}
