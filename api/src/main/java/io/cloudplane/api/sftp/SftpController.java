package io.cloudplane.api.sftp;

import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.problem.Problems;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.crypto.RandomTokens;
import io.cloudplane.infra.crypto.Sha256;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.operation.ActivityLogRecord;
import io.cloudplane.infra.operation.ActivityLogRepository;
import io.cloudplane.infra.sftp.SftpHostKey;
import io.cloudplane.infra.sftp.SftpPasswordRecord;
import io.cloudplane.infra.sftp.SftpPasswordRepository;
import io.cloudplane.infra.sftp.SftpSettings;
import io.cloudplane.infra.sftp.SftpUserNames;
import io.cloudplane.infra.sftp.SshKeyRepository;
import io.micronaut.context.BeanProvider;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.apache.sshd.common.config.keys.KeyUtils;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/**
 * What an SFTP client needs to reach an environment's files, and short-lived passwords for clients
 * that can use neither the account's password nor a key. The owner and the developers of the app, as
 * at the SFTP server's door; an end user of the environment gets 403.
 */
@Controller("/api/v1/apps/{appId}/environments/{envId}/sftp")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "sftp")
@Problems.Unauthorized
@Problems.BadRequest
@Problems.NotFound
@Problems.Forbidden
public class SftpController {
    static final String PASSWORD_CREATED = "sftp-password-created";
    static final int PASSWORD_LENGTH = 32;
    static final String TEAM_ONLY = "Only the app's owner and developers reach an environment's files through SFTP";
    private final AccessService access;
    private final UserRepository users;
    private final SshKeyRepository keys;
    private final SftpPasswordRepository passwords;
    private final SftpSettings settings;
    private final SftpHostKey hostKey;
    private final BeanProvider<SftpEndpoint> endpoint;
    private final ActivityLogRepository activityLog;

    public SftpController(AccessService access, UserRepository users, SshKeyRepository keys, SftpPasswordRepository passwords,
                          SftpSettings settings, SftpHostKey hostKey, BeanProvider<SftpEndpoint> endpoint, ActivityLogRepository activityLog) {
        this.access = access;
        this.users = users;
        this.keys = keys;
        this.passwords = passwords;
        this.settings = settings;
        this.hostKey = hostKey;
        this.endpoint = endpoint;
        this.activityLog = activityLog;
    }

    @Serdeable
    public record Folder(String path, String access) {
    }

    @Serdeable
    public record SftpAccess(String host, int port, String userName, String hostKeyFingerprint, String hostKeyType, List<Folder> folders,
                             long quotaMb, String passwordLogin, int keys) {
    }

    @Serdeable
    public record SftpPassword(String password, String userName, Instant expiresAt) {
    }

    /** Host, port, user name, the host key's SHA256 fingerprint, and the folders with their access. */
    @Get
    @Problems.Unprocessable
    @Operation(operationId = "getSftpAccess")
    public SftpAccess get(UUID appId, UUID envId, Authentication auth) {
        UUID caller = Caller.id(auth);
        EnvironmentRecord env = environment(caller, appId, envId);
        String code = env.type() == EnvironmentRecord.EnvironmentType.DEVELOPMENT ? "read-write" : "read-only";
        return new SftpAccess(settings.publicHost(), port(), userName(caller, env), hostKey.fingerprint(),
                KeyUtils.getKeyType(hostKey.publicKey()), List.of(new Folder("/code", code), new Folder("/resources", "read-write")),
                settings.quotaMb(), "account password or a short-lived password", keys.findByUserIdOrderByCreatedAt(caller).size());
    }

    /** A random password for this environment's SFTP, valid {@code cloudplane.sftp.password-lifetime} (12h), shown in this answer only. */
    @Post("/passwords")
    @Status(HttpStatus.CREATED)
    @Problems.Unprocessable
    @Operation(operationId = "createSftpPassword")
    public HttpResponse<SftpPassword> createPassword(UUID appId, UUID envId, Authentication auth) {
        UUID caller = Caller.id(auth);
        EnvironmentRecord env = environment(caller, appId, envId);
        String password = RandomTokens.alphanumeric(PASSWORD_LENGTH);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Instant expiresAt = now.plus(settings.passwordLifetime());
        passwords.save(new SftpPasswordRecord(UUID.randomUUID(), caller, envId, Sha256.hex(password), now, expiresAt));
        activityLog.appendOnce(appId, envId, PASSWORD_CREATED, caller, ActivityLogRecord.Outcome.SUCCEEDED.name(),
                "valid until " + expiresAt, null, now);
        return HttpResponse.status(HttpStatus.CREATED).body(new SftpPassword(password, userName(caller, env), expiresAt));
    }

    private EnvironmentRecord environment(UUID caller, UUID appId, UUID envId) {
        Access a = access.requireApp(caller, appId);
        EnvironmentRecord env = access.requireEnvironment(a, envId);
        a.requireTeam(TEAM_ONLY);
        if (!settings.enabled()) {
            throw ApiException.unprocessable("SFTP is turned off on this Cloudplane (cloudplane.sftp.enabled=false)");
        }
        return env;
    }

    private String userName(UUID caller, EnvironmentRecord env) {
        String email = users.findById(caller).orElseThrow(() -> ApiException.unauthorized("No such account")).email();
        return SftpUserNames.of(email, env.hostLabel());
    }

    private int port() {
        if (settings.publicPort() != null) {
            return settings.publicPort();
        }
        return endpoint.isPresent() ? endpoint.get().port() : settings.port();
    }
}
