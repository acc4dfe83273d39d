package io.cloudplane.api.sftp;

import io.cloudplane.api.JsonCalls;
import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.crypto.Sha256;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRecord.EnvironmentType;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.sftp.SftpHostKey;
import io.cloudplane.infra.sftp.SftpPasswordRecord;
import io.cloudplane.infra.sftp.SftpPasswordRepository;
import io.cloudplane.infra.sftp.SftpUserNames;
import io.cloudplane.infra.sftp.SshKeyRecord;
import io.cloudplane.infra.sftp.SshKeyRepository;
import io.cloudplane.infra.team.MembershipChangedEvent;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import javax.sql.DataSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SFTP server driven in process by MINA's own client, against the embedded PostgreSQL: who gets
 * in, what they see, what they may change, the quota, closing on removal, the activity log.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Property(name = "cloudplane.sftp.quota-mb", value = "1")
@Property(name = "cloudplane.sftp.max-sessions-per-user", value = "2")
@Property(name = "cloudplane.sftp.failed-logins-per-account", value = "2")
@Property(name = "cloudplane.sftp.failed-logins-per-address", value = "1000")
@Property(name = "cloudplane.sftp.recheck-interval", value = "1s")
class SftpServerTest {
    private static final String PASSWORD = "correct-horse-battery";

    @Inject SftpServer sftpServer;
    @Inject SftpHostKey hostKey;
    @Inject EnvironmentRepository environments;
    @Inject EnvironmentFiles files;
    @Inject AppMemberRepository members;
    @Inject SshKeyRepository keys;
    @Inject SftpPasswordRepository passwords;
    @Inject EmbeddedServer server;
    @Inject JsonMapper json;
    @Inject DataSource dataSource;
    @Inject io.micrometer.core.instrument.MeterRegistry meterRegistry;
    @Inject ApplicationEventPublisher<MembershipChangedEvent> events;

    private SshClient client;
    private JsonCalls calls;

    private record User(UUID id, String email) {
    }

    private record World(User owner, UUID appId, EnvironmentRecord development, EnvironmentRecord staging) {
    }

    @BeforeAll
    void startClient() {
        calls = new JsonCalls(server, json);
        client = SshClient.setUpDefaultClient();
        // the client checks the host key against the fingerprint Cloudplane shows
        client.setServerKeyVerifier((session, address, key) ->
                KeyUtils.getFingerPrint(BuiltinDigests.sha256, key).equals(hostKey.fingerprint()));
        client.start();
    }

    @AfterAll
    void stopClient() throws IOException {
        client.stop();
    }

    @Test
    void theOwnerByPasswordAndADeveloperByKeySeeOnlyCodeAndResourcesAndWriteBoth() throws Exception {
        World w = world();
        User developer = signUp();
        members.save(AppMemberRecord.of(w.appId(), developer.id(), AppMemberRecord.Role.DEVELOPER));
        KeyPair key = registerKey(developer);

        try (ClientSession session = password(w.owner(), w.development(), PASSWORD); SftpClient sftp = sftp(session)) {
            assertEquals(List.of("code", "resources"), names(sftp, "/"));
            assertEquals("/", sftp.canonicalPath("."));
            assertEquals("/code", sftp.canonicalPath("/code"));
            assertEquals("/resources/x", sftp.canonicalPath("/resources/./x"));
            put(sftp, "/code/index.php", "<?php echo 'hello';");
            put(sftp, "/resources/logo.txt", "logo");
        }
        Path tree = files.codeDir(w.development().id().toString()).toRealPath();
        assertEquals("<?php echo 'hello';", Files.readString(tree.resolve("index.php")));
        assertTrue(environments.findCodeChangedAt(w.development().id()).isPresent(), "a write to development /code marks the environment");

        try (ClientSession session = key(developer, w.development(), key); SftpClient sftp = sftp(session)) {
            assertEquals("<?php echo 'hello';", get(sftp, "/code/index.php"));
            assertEquals("logo", get(sftp, "/resources/logo.txt"));
            assertEquals(List.of("index.php"), names(sftp, "/code"));
        }
        assertNotNull(keys.findByFingerprint(KeyUtils.getFingerPrint(BuiltinDigests.sha256, key.getPublic())).orElseThrow().lastUsedAt());
        // no shell, no exec: only the SFTP subsystem
        try (ClientSession session = password(w.owner(), w.development(), PASSWORD)) {
            Exception refused = assertThrows(Exception.class, () -> session.executeRemoteCommand("id"));
            assertTrue(String.valueOf(refused.getMessage()).contains("only SFTP"), String.valueOf(refused.getMessage()));
        }
    }

    @Test
    void aShortLivedPasswordOpensOnlyItsEnvironmentWhileItLives() throws Exception {
        World w = world();
        String temporary = "Tmp" + UUID.randomUUID().toString().replace("-", "");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        passwords.save(new SftpPasswordRecord(UUID.randomUUID(), w.owner().id(), w.staging().id(), Sha256.hex(temporary), now,
                now.plus(Duration.ofHours(12))));
        try (ClientSession session = password(w.owner(), w.staging(), temporary); SftpClient sftp = sftp(session)) {
            assertEquals(List.of("code", "resources"), names(sftp, "/"));
        }
        assertRefused(w.owner(), w.development(), temporary);
        String expired = "Old" + UUID.randomUUID().toString().replace("-", "");
        passwords.save(new SftpPasswordRecord(UUID.randomUUID(), w.owner().id(), w.staging().id(), Sha256.hex(expired),
                now.minus(Duration.ofHours(13)), now.minus(Duration.ofHours(1))));
        assertRefused(w.owner(), w.staging(), expired);
    }

    @Test
    void wrongPasswordsEndUsersStrangersOtherAppsAndMalformedNamesAreRefused() throws Exception {
        World w = world();
        World other = world();
        User endUser = signUp();
        User stranger = signUp();
        sql("insert into environment_users (env_id, user_id, profile, since) values (?, ?, 'editor', now())", w.development().id(), endUser.id());
        KeyPair strangerKey = registerKey(stranger);

        assertRefused(w.owner(), w.development(), "wrong-" + PASSWORD);
        assertRefused(endUser, w.development(), PASSWORD);
        assertRefused(stranger, w.development(), PASSWORD);
        assertRefused(w.owner(), other.development(), PASSWORD);
        assertThrows(IOException.class, () -> key(stranger, w.development(), strangerKey));
        // someone else's key for the owner's name
        assertThrows(IOException.class, () -> key(w.owner(), w.development(), strangerKey));
        for (String name : List.of(w.owner().email(), "nobody", w.owner().email().replace('@', '=') + "+", "a=b+NO_SUCH_LABEL!")) {
            assertThrows(IOException.class, () -> login(name, PASSWORD), name);
        }
    }

    @Test
    void pastTheFailedLoginsOfAnAccountEvenTheRightPasswordIsRefusedUnchecked() throws Exception {
        World w = world();
        String temporary = "Tmp" + UUID.randomUUID().toString().replace("-", "");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        passwords.save(new SftpPasswordRecord(UUID.randomUUID(), w.owner().id(), w.development().id(), Sha256.hex(temporary), now,
                now.plus(Duration.ofHours(1))));
        // MINA's client tries a password once per connection
        assertRefused(w.owner(), w.development(), "wrong-1");
        assertRefused(w.owner(), w.development(), "wrong-2");
        // the short-lived password is checked before the identity provider (whose own lockout is at 3): refused by the limit
        assertRefused(w.owner(), w.development(), temporary);
        // another account from the same address still gets in
        World fresh = world();
        password(fresh.owner(), fresh.development(), PASSWORD).close();
    }

    @Test
    void aPersonHasAtMostTheirCapOfOpenSessions() throws Exception {
        World w = world();
        ClientSession first = password(w.owner(), w.development(), PASSWORD);
        ClientSession second = password(w.owner(), w.staging(), PASSWORD);
        sftp(first).close();
        sftp(second).close();
        ClientSession third = connect(userName(w.owner(), w.development()));
        third.addPasswordIdentity(PASSWORD);
        try {
            third.auth().verify(Duration.ofSeconds(10));
        } catch (IOException disconnected) {
            // the password is right, then the server disconnects with its message: no SFTP for the third
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !third.isOpen());
        assertThrows(Exception.class, () -> sftp(third));
        first.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> sftpServerSessions() < 2);
        try (ClientSession again = password(w.owner(), w.development(), PASSWORD); SftpClient sftp = sftp(again)) {
            assertEquals(List.of("code", "resources"), names(sftp, "/"));
        }
        second.close();
    }

    @Test
    void loginsByOutcomeAndOpenSessionsAreMeasured() throws Exception {
        World w = world();
        User stranger = signUp();
        double succeeded = logins("SUCCEEDED");
        double wrong = logins("WRONG_PASSWORD");
        double open = meterRegistry.get(SftpMeters.SESSIONS).gauge().value();
        try (ClientSession session = password(w.owner(), w.development(), PASSWORD); SftpClient sftp = sftp(session)) {
            assertEquals(List.of("code", "resources"), names(sftp, "/"));
            assertEquals(open + 1, meterRegistry.get(SftpMeters.SESSIONS).gauge().value());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> meterRegistry.get(SftpMeters.SESSIONS).gauge().value() == open);
        assertEquals(succeeded + 1, logins("SUCCEEDED"), "one session opened");
        // refusals count authentication attempts: MINA's client tries the password by keyboard-interactive, then by password
        assertRefused(w.owner(), w.development(), "wrong-" + PASSWORD);
        assertTrue(logins("WRONG_PASSWORD") > wrong, "a wrong password");
        double refusedBefore = logins("REFUSED");
        assertRefused(stranger, w.development(), PASSWORD);
        assertTrue(logins("REFUSED") > refusedBefore, "a stranger to the app");
        assertEquals(succeeded + 1, logins("SUCCEEDED"), "no session for either");
    }

    private double logins(String outcome) {
        return meterRegistry.get(SftpMeters.LOGINS).tag("outcome", outcome).counter().count();
    }

    @Test
    void stagingCodeIsReadOnlyItsResourcesAreNotAndTheRootIsReadOnly() throws Exception {
        World w = world();
        Path tree = files.codeDir(w.staging().id().toString()).toRealPath();
        Files.writeString(tree.resolve("released.php"), "released");
        try (ClientSession session = password(w.owner(), w.staging(), PASSWORD); SftpClient sftp = sftp(session)) {
            assertEquals("released", get(sftp, "/code/released.php"));
            assertStatus(SftpConstants.SSH_FX_PERMISSION_DENIED, "read-only", () -> put(sftp, "/code/new.php", "x"));
            assertStatus(SftpConstants.SSH_FX_PERMISSION_DENIED, "read-only", () -> sftp.remove("/code/released.php"));
            assertStatus(SftpConstants.SSH_FX_PERMISSION_DENIED, "read-only", () -> sftp.mkdir("/code/dir"));
            assertStatus(SftpConstants.SSH_FX_PERMISSION_DENIED, "read-only", () -> sftp.rename("/code/released.php", "/resources/r.php"));
            put(sftp, "/resources/upload.txt", "ok");
            sftp.mkdir("/resources/images");
            assertStatus(SftpConstants.SSH_FX_PERMISSION_DENIED, "", () -> sftp.mkdir("/new"));
            assertStatus(SftpConstants.SSH_FX_PERMISSION_DENIED, "", () -> put(sftp, "/top.txt", "x"));
            assertStatus(SftpConstants.SSH_FX_PERMISSION_DENIED, "read-only", () -> sftp.rmdir("/resources"));
            assertStatus(SftpConstants.SSH_FX_PERMISSION_DENIED, "", () -> sftp.rename("/resources", "/resources2"));
            assertStatus(SftpConstants.SSH_FX_PERMISSION_DENIED, "read-only", () -> sftp.rename("/resources", "/code/resources"));
            assertTrue((sftp.stat("/code").getPermissions() & 0222) == 0, "/code shows read-only");
            assertFalse((sftp.stat("/resources").getPermissions() & 0200) == 0, "/resources shows writable");
        }
        assertEquals("released", Files.readString(tree.resolve("released.php")));
        assertTrue(environments.findCodeChangedAt(w.staging().id()).isEmpty());
    }

    @Test
    void noPathLeavesTheEnvironment() throws Exception {
        World w = world();
        World other = world();
        String envId = w.development().id().toString();
        Path tree = files.codeDir(envId).toRealPath();
        Path otherResources = files.resourcesDir(other.development().id().toString());
        Files.writeString(otherResources.resolve("secret.txt"), "other's secret");
        Files.createSymbolicLink(tree.resolve("out"), otherResources);
        Files.createSymbolicLink(tree.resolve("secret.txt"), otherResources.resolve("secret.txt"));
        Files.createDirectories(tree.resolve("sub"));
        try (ClientSession session = password(w.owner(), w.development(), PASSWORD); SftpClient sftp = sftp(session)) {
            assertStatus(SftpConstants.SSH_FX_PERMISSION_DENIED, "leaves the environment", () -> sftp.canonicalPath("/.."));
            assertStatus(SftpConstants.SSH_FX_PERMISSION_DENIED, "leaves the environment", () -> sftp.canonicalPath("/code/../.."));
            assertStatus(SftpConstants.SSH_FX_PERMISSION_DENIED, "leaves the environment", () -> get(sftp, "../../../../etc/passwd"));
            assertStatus(SftpConstants.SSH_FX_PERMISSION_DENIED, "outside this environment", () -> get(sftp, "/etc/passwd"));
            assertStatus(SftpConstants.SSH_FX_PERMISSION_DENIED, "outside this environment", () -> get(sftp, tree.resolve("index.php").toString()));
            assertStatus(SftpConstants.SSH_FX_PERMISSION_DENIED, "symbolic link", () -> get(sftp, "/code/secret.txt"));
            assertStatus(SftpConstants.SSH_FX_PERMISSION_DENIED, "symbolic link", () -> get(sftp, "/code/out/secret.txt"));
            assertStatus(SftpConstants.SSH_FX_PERMISSION_DENIED, "symbolic link", () -> names(sftp, "/code/out"));
            assertStatus(SftpConstants.SSH_FX_PERMISSION_DENIED, "symbolic link", () -> put(sftp, "/code/out/planted.txt", "x"));
            assertStatus(SftpConstants.SSH_FX_PERMISSION_DENIED, "links cannot be made", () -> sftp.symLink("/code/sub/etc", "/etc"));
            put(sftp, "/code/mine.txt", "mine");
            assertStatus(SftpConstants.SSH_FX_PERMISSION_DENIED, "links cannot be made", () -> sftp.link("/code/mine.txt", "/code/hard.txt", false));
            assertEquals("/code/sub", sftp.canonicalPath("/code/sub/../sub"));
        }
        assertFalse(Files.exists(otherResources.resolve("planted.txt")));
        assertFalse(Files.exists(tree.resolve("sub/etc"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(tree.resolve("hard.txt")));
    }

    @Test
    void aWritePastTheQuotaFailsAndIsNotCounted() throws Exception {
        World w = world();
        byte[] kb700 = new byte[700 * 1024];
        byte[] kb400 = new byte[400 * 1024];
        byte[] kb300 = new byte[300 * 1024];
        try (ClientSession session = password(w.owner(), w.development(), PASSWORD); SftpClient sftp = sftp(session)) {
            put(sftp, "/code/a.bin", kb700);
            assertStatus(SftpConstants.SSH_FX_QUOTA_EXCEEDED, "quota of 1 MB", () -> put(sftp, "/resources/b.bin", kb400));
            sftp.remove("/resources/b.bin");
            put(sftp, "/resources/c.bin", kb300);
            assertStatus(SftpConstants.SSH_FX_QUOTA_EXCEEDED, "quota", () -> put(sftp, "/resources/d.bin", kb300));
            // overwriting a file gives its bytes back first
            put(sftp, "/code/a.bin", kb300);
            put(sftp, "/resources/d.bin", kb300);
        }
        // the quota is per environment and shared: a new session counts what is there (900 KB)
        try (ClientSession session = password(w.owner(), w.development(), PASSWORD); SftpClient sftp = sftp(session)) {
            assertStatus(SftpConstants.SSH_FX_QUOTA_EXCEEDED, "quota", () -> put(sftp, "/resources/e.bin", kb300));
        }
    }

    @Test
    void aRemovedDeveloperLosesTheirOpenSessionWithinSeconds() throws Exception {
        World w = world();
        User developer = signUp();
        User other = signUp();
        members.save(AppMemberRecord.of(w.appId(), developer.id(), AppMemberRecord.Role.DEVELOPER));
        members.save(AppMemberRecord.of(w.appId(), other.id(), AppMemberRecord.Role.DEVELOPER));
        ClientSession session = password(developer, w.development(), PASSWORD);
        SftpClient sftp = sftp(session);
        ClientSession otherSession = password(other, w.development(), PASSWORD);
        sftp(otherSession).close();
        assertEquals(List.of("code", "resources"), names(sftp, "/"));
        // removed and the event published, as TeamChanges does after the commit
        sql("delete from app_members where app_id = ? and user_id = ?", w.appId(), developer.id());
        events.publishEvent(new MembershipChangedEvent(w.appId(), null, developer.id(), MembershipChangedEvent.Change.REMOVED));
        await().atMost(Duration.ofSeconds(3)).until(() -> !session.isOpen());
        assertTrue(otherSession.isOpen(), "another developer's session stays");
        assertRefused(developer, w.development(), PASSWORD);
        // removed by another process (no event here): the recheck closes it
        sql("delete from app_members where app_id = ? and user_id = ?", w.appId(), other.id());
        await().atMost(Duration.ofSeconds(5)).until(() -> !otherSession.isOpen());
    }

    @Test
    void eachSessionWritesOneActivityLogEntrySayingWhatItChanged() throws Exception {
        World w = world();
        try (ClientSession session = password(w.owner(), w.development(), PASSWORD); SftpClient sftp = sftp(session)) {
            put(sftp, "/code/a.txt", "aaaa");
            put(sftp, "/resources/b.txt", new byte[2 * 1024 * 1024 / 10]);
            sftp.mkdir("/resources/dir");
            sftp.rename("/code/a.txt", "/code/c.txt");
            sftp.remove("/code/c.txt");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> activity(w.development().id()).size() == 1);
        String[] entry = activity(w.development().id()).get(0);
        assertEquals(w.owner().id().toString(), entry[0]);
        assertEquals("SUCCEEDED", entry[1]);
        String detail = entry[2];
        assertTrue(detail.startsWith("from 127.0.0.1, "), detail);
        assertTrue(detail.matches("from 127\\.0\\.0\\.1, \\d\\d:\\d\\d:\\d\\d–\\d\\d:\\d\\d:\\d\\d UTC: wrote 2 files \\(204\\.8 KB\\), "
                + "removed 1, renamed 1, made 1 folder"), detail);
        // a refused login is no entry
        assertRefused(w.owner(), w.development(), "wrong");
        Thread.sleep(300);
        assertEquals(1, activity(w.development().id()).size());
    }

    private void assertRefused(User user, EnvironmentRecord env, String password) {
        assertThrows(IOException.class, () -> password(user, env, password), user.email() + " on " + env.name());
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void assertStatus(int status, String message, Call call) {
        SftpException e = assertThrows(SftpException.class, call::run);
        assertEquals(SftpConstants.getStatusName(status), SftpConstants.getStatusName(e.getStatus()), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertFalse(e.getMessage().contains("test-data") || e.getMessage().contains("code-trees"), "no local path: " + e.getMessage());
    }

    private int sftpServerSessions() {
        return (int) StreamSupport.stream(sessionsOf().spliterator(), false).count();
    }

    @Inject SftpSessions sessions;

    private List<SftpSession> sessionsOf() {
        return sessions.open();
    }

    private List<String[]> activity(UUID envId) throws Exception {
        List<String[]> rows = new ArrayList<>();
        try (Connection c = DelegatingDataSource.unwrapDataSource(dataSource).getConnection();
             PreparedStatement s = c.prepareStatement("select actor_user_id, outcome, detail from activity_log where env_id = ? and action = 'sftp-session'")) {
            s.setObject(1, envId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(new String[]{r.getString(1), r.getString(2), r.getString(3)});
                }
            }
        }
        return rows;
    }

    private ClientSession password(User user, EnvironmentRecord env, String password) throws IOException {
        return login(userName(user, env), password);
    }

    private ClientSession login(String userName, String password) throws IOException {
        ClientSession session = connect(userName);
        try {
            session.addPasswordIdentity(password);
            session.auth().verify(Duration.ofSeconds(10));
            return session;
        } catch (IOException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private ClientSession key(User user, EnvironmentRecord env, KeyPair key) throws IOException {
        ClientSession session = connect(userName(user, env));
        try {
            session.addPublicKeyIdentity(key);
            session.auth().verify(Duration.ofSeconds(10));
            return session;
        } catch (IOException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private ClientSession connect(String userName) throws IOException {
        return client.connect(userName, "127.0.0.1", sftpServer.port()).verify(Duration.ofSeconds(10)).getSession();
    }

    private static String userName(User user, EnvironmentRecord env) {
        return SftpUserNames.of(user.email(), env.hostLabel());
    }

    private static SftpClient sftp(ClientSession session) throws IOException {
        return SftpClientFactory.instance().createSftpClient(session);
    }

    private static List<String> names(SftpClient sftp, String dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (SftpClient.CloseableHandle handle = sftp.openDir(dir)) {
            for (List<SftpClient.DirEntry> entries = sftp.readDir(handle); entries != null; entries = sftp.readDir(handle)) {
                for (SftpClient.DirEntry entry : entries) {
                    if (!entry.getFilename().equals(".") && !entry.getFilename().equals("..")) {
                        names.add(entry.getFilename());
                    }
                }
            }
        }
        names.sort(String::compareTo);
        return names;
    }

    private static void put(SftpClient sftp, String path, String text) throws IOException {
        put(sftp, path, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void put(SftpClient sftp, String path, byte[] bytes) throws IOException {
        try (OutputStream out = sftp.write(path)) {
            new ByteArrayInputStream(bytes).transferTo(out);
        }
    }

    private static String get(SftpClient sftp, String path) throws IOException {
        try (InputStream in = sftp.read(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private KeyPair registerKey(User user) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair pair = generator.generateKeyPair();
        keys.save(new SshKeyRecord(UUID.randomUUID(), user.id(), "laptop", KeyUtils.getKeyType(pair.getPublic()),
                PublicKeyEntry.toString(pair.getPublic()), KeyUtils.getFingerPrint(BuiltinDigests.sha256, pair.getPublic()),
                Instant.now().truncatedTo(ChronoUnit.MICROS), null));
        return pair;
    }

    private World world() throws Exception {
        User owner = signUp();
        JsonCalls.Answer created = calls.call("POST", "/api/v1/apps", Map.of("name", "sftp-" + UUID.randomUUID().toString().substring(0, 8)),
                token(owner));
        assertEquals(202, created.status(), created.body().toString());
        UUID appId = UUID.fromString((String) created.body().get("id"));
        return new World(owner, appId, environment(appId, "sftpdev", EnvironmentType.DEVELOPMENT),
                environment(appId, "sftpstaging", EnvironmentType.STAGING));
    }

    private EnvironmentRecord environment(UUID appId, String name, EnvironmentType type) {
        UUID envId = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        environments.save(new EnvironmentRecord(envId, appId, name, type, null, EnvironmentStatus.RUNNING, null, "1.0.0",
                null, null, EnvironmentRecord.databaseNameFor(envId), null, now, now));
        files.createFolders(envId.toString());
        return environments.findById(envId).orElseThrow();
    }

    private final Map<UUID, String> tokens = new java.util.concurrent.ConcurrentHashMap<>();

    private String token(User user) {
        return tokens.get(user.id());
    }

    @SuppressWarnings("unchecked")
    private User signUp() throws Exception {
        String email = "sftp-" + UUID.randomUUID() + "@example.com";
        JsonCalls.Answer created = calls.call("POST", "/api/v1/accounts", Map.of("email", email, "password", PASSWORD,
                "firstName", "Sec", "lastName", "Ure"), null);
        assertEquals(201, created.status(), created.body().toString());
        JsonCalls.Answer session = calls.call("POST", "/api/v1/sessions", Map.of("email", email, "password", PASSWORD), null);
        assertNotNull(session.body().get("accessToken"), session.body().toString());
        UUID id = UUID.fromString((String) ((Map<String, Object>) created.body().get("account")).get("id"));
        tokens.put(id, (String) session.body().get("accessToken"));
        return new User(id, email);
    }

    private void sql(String statement, Object... parameters) throws Exception {
        try (Connection c = DelegatingDataSource.unwrapDataSource(dataSource).getConnection(); PreparedStatement s = c.prepareStatement(statement)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            s.executeUpdate();
        }
    }
}
