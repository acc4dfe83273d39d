package io.cloudplane.api.sftp;

import io.cloudplane.api.JsonCalls;
import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.crypto.Sha256;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.environment.EnvironmentUserRecord;
import io.cloudplane.infra.environment.EnvironmentUserRepository;
import io.cloudplane.infra.operation.ActivityLogRecord;
import io.cloudplane.infra.operation.ActivityLogRepository;
import io.cloudplane.infra.runtime.ServerCatalog;
import io.cloudplane.infra.sftp.SftpHostKey;
import io.cloudplane.infra.sftp.SftpPasswordRecord;
import io.cloudplane.infra.sftp.SftpPasswordRepository;
import io.cloudplane.infra.sftp.SftpSettings;
import io.cloudplane.infra.sftp.SftpUserNames;
import io.cloudplane.infra.sftp.SshKeyRepository;
import io.cloudplane.infra.sftp.SshPublicKeys;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;

import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SSH keys on the account, the SFTP instructions of an environment, and its short-lived passwords: roles, refusals, what is stored. */
@MicronautTest(transactional = false)
class SftpApiTest {
    private static final String PASSWORD = "correct-horse-battery";
    @Inject EmbeddedServer server;
    @Inject JsonMapper json;
    @Inject SshKeyRepository keys;
    @Inject SftpPasswordRepository passwords;
    @Inject SftpPasswordPurge purge;
    @Inject SftpHostKey hostKey;
    @Inject SftpSettings settings;
    @Inject EnvironmentRepository environments;
    @Inject EnvironmentUserRepository environmentUsers;
    @Inject AppMemberRepository members;
    @Inject ActivityLogRepository activityLog;
    @Inject ServerCatalog catalog;

    private record User(UUID id, String email, String token) {
    }

    @Test
    void aPersonAddsListsAndDeletesTheirOwnKeysOnly() throws Exception {
        User olive = signUp();
        User bob = signUp();
        String ecdsa = PublicKeyEntry.toString(KeyUtils.generateKeyPair("ecdsa-sha2-nistp384", 384).getPublic());
        var added = call("POST", "/api/v1/account/ssh-keys", Map.of("name", "laptop", "publicKey", ecdsa + " olive@laptop"), olive);
        assertEquals(201, added.status(), added.body().toString());
        assertEquals("laptop", added.body().get("name"));
        assertEquals("ecdsa-sha2-nistp384", added.body().get("type"));
        String fingerprint = SshPublicKeys.parse(ecdsa).fingerprint();
        assertEquals(fingerprint, added.body().get("fingerprint"));
        assertTrue(fingerprint.startsWith("SHA256:"), fingerprint);
        assertNotNull(added.body().get("createdAt"));
        UUID keyId = UUID.fromString((String) added.body().get("id"));
        assertEquals(ecdsa, keys.findById(keyId).orElseThrow().publicKey(), "stored as type and base64, the comment dropped");

        String rsa = rsaKey(2048);
        assertEquals(201, call("POST", "/api/v1/account/ssh-keys", Map.of("name", "desktop (RSA) ✓", "publicKey", rsa), olive).status());
        List<?> listed = (List<?>) call("GET", "/api/v1/account/ssh-keys", null, olive).body().get("items");
        assertEquals(2, listed.size());
        assertEquals(List.of(), call("GET", "/api/v1/account/ssh-keys", null, bob).body().get("items"), "never anyone else's");

        assertEquals(404, call("DELETE", "/api/v1/account/ssh-keys/" + keyId, null, bob).status(), "another person's key is not found");
        assertTrue(keys.findById(keyId).isPresent());
        assertEquals(204, call("DELETE", "/api/v1/account/ssh-keys/" + keyId, null, olive).status());
        assertTrue(keys.findById(keyId).isEmpty());
        assertEquals(404, call("DELETE", "/api/v1/account/ssh-keys/" + keyId, null, olive).status(), "already gone");
        assertEquals(201, call("POST", "/api/v1/account/ssh-keys", Map.of("name", "laptop", "publicKey", ecdsa), bob).status(),
                "a deleted key may be registered again, by anyone");
    }

    @Test
    void everyRefusalNamesItsFieldAndChangesNothing() throws Exception {
        User olive = signUp();
        User bob = signUp();
        String taken = PublicKeyEntry.toString(KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256).getPublic());
        assertEquals(201, call("POST", "/api/v1/account/ssh-keys", Map.of("name", "Work", "publicKey", taken), olive).status());
        long before = keys.count();

        KeyPairGenerator dsa = KeyPairGenerator.getInstance("DSA");
        dsa.initialize(1024);
        String fresh = PublicKeyEntry.toString(KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256).getPublic());
        record Refusal(Object name, Object publicKey, int status, String field, String says) {
        }
        for (Refusal r : List.of(
                new Refusal("k", PublicKeyEntry.toString(dsa.generateKeyPair().getPublic()), 400, "publicKey", "ssh-dss"),
                new Refusal("k", rsaKey(1024), 400, "publicKey", "1024 bits"),
                new Refusal("k", "not a key at all", 400, "publicKey", "OpenSSH format"),
                new Refusal("k", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----", 400,
                        "publicKey", "private key"),
                new Refusal("k", "", 400, "publicKey", ""),
                new Refusal("k", 42, 400, "publicKey", ""),
                new Refusal("", fresh, 400, "name", "printable"),
                new Refusal("   ", fresh, 400, "name", "printable"),
                new Refusal("x".repeat(101), fresh, 400, "name", ""),
                new Refusal("tab\there", fresh, 400, "name", "printable"),
                new Refusal("zero\u200bwidth", fresh, 400, "name", "printable"),
                new Refusal("another name", taken + " someone-else", 409, "publicKey", "already registered"),
                new Refusal("WORK", fresh, 409, "name", "already"))) {
            java.util.Map<String, Object> body = new java.util.HashMap<>();
            body.put("name", r.name());
            body.put("publicKey", r.publicKey());
            var answer = call("POST", "/api/v1/account/ssh-keys", body, olive);
            assertEquals(r.status(), answer.status(), r + ": " + answer.body());
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> errors = (List<Map<String, Object>>) answer.body().get("errors");
            assertTrue(errors != null && errors.stream().anyMatch(e -> r.field().equals(e.get("field"))), "errors name " + r.field() + ": " + answer.body());
            assertTrue(answer.body().toString().contains(r.says()), "says " + r.says() + ": " + answer.body());
        }
        assertEquals(409, call("POST", "/api/v1/account/ssh-keys", Map.of("name", "mine", "publicKey", taken), bob).status(),
                "a key names one person: another account cannot register it");
        assertEquals(before, keys.count(), "no refusal stored anything");
        assertEquals(400, call("DELETE", "/api/v1/account/ssh-keys/not-an-id", null, olive).status());
        assertEquals(401, call("GET", "/api/v1/account/ssh-keys", null, null).status());
    }

    @Test
    void theOwnerAndDevelopersGetTheInstructionsAndShortLivedPasswordsOthersDoNot() throws Exception {
        User owner = signUp();
        var created = call("POST", "/api/v1/apps", Map.of("name", "sftp-" + UUID.randomUUID().toString().substring(0, 8)), owner);
        assertEquals(202, created.status(), created.body().toString());
        UUID appId = UUID.fromString((String) created.body().get("id"));
        UUID devId = UUID.fromString((String) ((Map<?, ?>) created.body().get("operation")).get("envId"));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UUID stagingId = UUID.randomUUID();
        environments.save(new EnvironmentRecord(stagingId, appId, "staging", EnvironmentRecord.EnvironmentType.STAGING, null,
                EnvironmentStatus.RUNNING, null, catalog.defaultVersion().version(), null, null, EnvironmentRecord.databaseNameFor(stagingId),
                null, now, now));
        User developer = signUp();
        members.save(AppMemberRecord.of(appId, developer.id(), AppMemberRecord.Role.DEVELOPER));
        User endUser = signUp();
        environmentUsers.save(EnvironmentUserRecord.of(stagingId, endUser.id()));
        User stranger = signUp();
        assertEquals(201, call("POST", "/api/v1/account/ssh-keys", Map.of("name", "k", "publicKey",
                PublicKeyEntry.toString(KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256).getPublic())), developer).status());

        String dev = "/api/v1/apps/" + appId + "/environments/" + devId + "/sftp";
        String staging = "/api/v1/apps/" + appId + "/environments/" + stagingId + "/sftp";
        var instructions = call("GET", dev, null, owner);
        assertEquals(200, instructions.status(), instructions.body().toString());
        EnvironmentRecord devEnv = environments.findById(devId).orElseThrow();
        assertEquals(SftpUserNames.of(owner.email(), devEnv.hostLabel()), instructions.body().get("userName"));
        assertFalse(((String) instructions.body().get("userName")).contains("@"));
        assertEquals(settings.publicHost(), instructions.body().get("host"));
        assertEquals(settings.port(), ((Number) instructions.body().get("port")).intValue(), "no server and no public port: the configured one");
        assertEquals(hostKey.fingerprint(), instructions.body().get("hostKeyFingerprint"));
        assertTrue(hostKey.fingerprint().startsWith("SHA256:"));
        assertEquals("ecdsa-sha2-nistp256", instructions.body().get("hostKeyType"));
        assertEquals(List.of(Map.of("path", "/code", "access", "read-write"), Map.of("path", "/resources", "access", "read-write")),
                instructions.body().get("folders"));
        assertEquals(settings.quotaMb(), ((Number) instructions.body().get("quotaMb")).longValue());
        assertEquals(0, ((Number) instructions.body().get("keys")).intValue());
        var forDeveloper = call("GET", staging, null, developer);
        assertEquals(200, forDeveloper.status());
        assertEquals(List.of(Map.of("path", "/code", "access", "read-only"), Map.of("path", "/resources", "access", "read-write")),
                forDeveloper.body().get("folders"), "staging's code arrives only by releases");
        assertEquals(1, ((Number) forDeveloper.body().get("keys")).intValue());
        assertEquals(SftpUserNames.of(developer.email(), environments.findById(stagingId).orElseThrow().hostLabel()),
                forDeveloper.body().get("userName"));

        long rows = passwords.count();
        for (String path : List.of(staging, staging + "/passwords")) {
            String method = path.endsWith("passwords") ? "POST" : "GET";
            assertEquals(403, call(method, path, null, endUser).status(), "an end user uses the app, not its files");
            assertEquals(404, call(method, path, null, stranger).status());
            assertEquals(404, call(method, path.replace(appId.toString(), UUID.randomUUID().toString()), null, owner).status());
        }
        assertEquals(404, call("GET", "/api/v1/apps/" + appId + "/environments/" + UUID.randomUUID() + "/sftp", null, owner).status());
        assertEquals(rows, passwords.count(), "refusals stored no password");

        var made = call("POST", staging + "/passwords", null, developer);
        assertEquals(201, made.status(), made.body().toString());
        String password = (String) made.body().get("password");
        assertTrue(password.matches("[A-Za-z0-9]{32}"), password);
        assertEquals(forDeveloper.body().get("userName"), made.body().get("userName"));
        Instant expiresAt = Instant.parse((String) made.body().get("expiresAt"));
        Instant expected = Instant.now().plus(Duration.ofHours(12));
        assertTrue(Math.abs(Duration.between(expected, expiresAt).toSeconds()) < 60, "valid 12 hours: " + expiresAt);
        List<SftpPasswordRecord> live = passwords.findLive(developer.id(), stagingId, Instant.now());
        assertEquals(1, live.size());
        assertEquals(Sha256.hex(password), live.get(0).passwordSha256(), "only the SHA-256 is stored");
        assertFalse(live.get(0).passwordSha256().contains(password));
        List<ActivityLogRecord> logged = activityLog.findAll().stream()
                .filter(e -> stagingId.equals(e.envId()) && SftpController.PASSWORD_CREATED.equals(e.action())).toList();
        assertEquals(1, logged.size());
        assertEquals(developer.id(), logged.get(0).actorUserId());
        assertFalse(String.valueOf(logged.get(0).detail()).contains(password), "the log holds no secret");
        assertEquals(201, call("POST", dev + "/passwords", null, owner).status());
        assertEquals(1, passwords.findLive(owner.id(), devId, Instant.now()).size());
    }

    @Test
    void thePurgeForgetsExpiredPasswordsOnly() throws Exception {
        User owner = signUp();
        var created = call("POST", "/api/v1/apps", Map.of("name", "purge-" + UUID.randomUUID().toString().substring(0, 8)), owner);
        UUID devId = UUID.fromString((String) ((Map<?, ?>) created.body().get("operation")).get("envId"));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UUID expired = UUID.randomUUID();
        UUID live = UUID.randomUUID();
        passwords.save(new SftpPasswordRecord(expired, owner.id(), devId, Sha256.hex("a"), now.minus(Duration.ofHours(13)), now.minusSeconds(3600)));
        passwords.save(new SftpPasswordRecord(live, owner.id(), devId, Sha256.hex("b"), now, now.plus(Duration.ofHours(12))));
        assertTrue(purge.purge(now) >= 1);
        assertTrue(passwords.findById(expired).isEmpty());
        assertTrue(passwords.findById(live).isPresent());
    }

    private static String rsaKey(int bits) throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(bits);
        return PublicKeyEntry.toString(rsa.generateKeyPair().getPublic());
    }

    private User signUp() throws Exception {
        String email = "sftp-" + UUID.randomUUID() + "@example.com";
        var created = calls().call("POST", "/api/v1/accounts", Map.of("email", email, "password", PASSWORD, "firstName", "Olive",
                "lastName", "Sftp"), null);
        assertEquals(201, created.status(), created.body().toString());
        UUID id = UUID.fromString((String) ((Map<?, ?>) created.body().get("account")).get("id"));
        String token = (String) calls().call("POST", "/api/v1/sessions", Map.of("email", email, "password", PASSWORD), null).body()
                .get("accessToken");
        return new User(id, email, token);
    }

    private JsonCalls.Answer call(String method, String path, Object body, User user) throws Exception {
        return calls().call(method, path, body, user == null ? null : user.token());
    }

    private JsonCalls calls() {
        return new JsonCalls(server, json);
    }
}
