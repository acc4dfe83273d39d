package io.cloudplane.api.sftp;

import io.cloudplane.infra.crypto.Sha256;
import io.cloudplane.infra.identity.IdentityProvider;
import io.cloudplane.infra.identity.IdentityProvider.AuthenticationResult;
import io.cloudplane.infra.sftp.SftpPasswordRecord;
import io.cloudplane.infra.sftp.SftpPasswordRepository;
import io.cloudplane.infra.sftp.SftpUserNames;
import io.cloudplane.infra.sftp.SshKeyRecord;
import io.cloudplane.infra.sftp.SshKeyRepository;
import jakarta.inject.Singleton;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.server.auth.password.PasswordAuthenticator;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Optional;

/**
 * Decides each SFTP login (password or public key): past the failed-login limits of the account or the
 * source address, refused before the credential is looked at; then who may open the environment
 * ({@link SftpAccess}); then the credential: a live short-lived SFTP password of that person for that
 * environment (SHA-256, compared in constant time), else the account's password at the identity
 * provider (local or Cognito; a lockout refuses), or a public key registered on that person's account.
 * A refusal tells the client nothing more than SSH does; the reason is logged. What was granted is
 * kept on the session until {@link SftpSessions} opens it once SSH says the login succeeded.
 */
@Singleton
public class SftpLogins implements PasswordAuthenticator, PublickeyAuthenticator {
    static final AttributeRepository.AttributeKey<SftpAccess.Grant> GRANT = new AttributeRepository.AttributeKey<>();
    private static final Logger LOG = LoggerFactory.getLogger(SftpLogins.class);
    private final SftpAccess access;
    private final SftpFailedLogins failedLogins;
    private final SftpPasswordRepository passwords;
    private final SshKeyRepository keys;
    private final IdentityProvider identity;
    private final SftpMeters meters;

    public SftpLogins(SftpAccess access, SftpFailedLogins failedLogins, SftpPasswordRepository passwords, SshKeyRepository keys,
                      IdentityProvider identity, SftpMeters meters) {
        this.meters = meters;
        this.access = access;
        this.failedLogins = failedLogins;
        this.passwords = passwords;
        this.keys = keys;
        this.identity = identity;
    }

    @Override
    public boolean authenticate(String username, String password, ServerSession session) {
        String address = address(session.getClientAddress());
        Optional<SftpAccess.Grant> grant = admissible(username, address, "password");
        if (grant.isEmpty()) {
            return false;
        }
        if (shortLivedPassword(grant.get(), password) || accountPassword(grant.get(), password, address)) {
            session.setAttribute(GRANT, grant.get());
            return true;
        }
        failedLogins.failed(grant.get().email(), address);
        meters.login(SftpMeters.Outcome.WRONG_PASSWORD);
        LOG.info("SFTP login refused: {} from {} by password: wrong password", username, address);
        return false;
    }

    @Override
    public boolean authenticate(String username, PublicKey key, ServerSession session) {
        String address = address(session.getClientAddress());
        Optional<SftpAccess.Grant> grant = admissible(username, address, "public key");
        if (grant.isEmpty()) {
            return false;
        }
        String fingerprint = KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
        Optional<SshKeyRecord> registered = keys.findByFingerprint(fingerprint);
        if (registered.isEmpty() || !registered.get().userId().equals(grant.get().userId())) {
            // a client offers its keys in turn: one that is not this person's is no failed login
            LOG.info("SFTP login: key {} offered for {} from {} is not registered on that account", fingerprint, username, address);
            return false;
        }
        keys.markUsed(registered.get().id(), Instant.now());
        session.setAttribute(GRANT, grant.get());
        return true;
    }

    /** The grant of a login that is within the limits and whose person may open the environment. */
    private Optional<SftpAccess.Grant> admissible(String username, String address, String method) {
        String email = SftpUserNames.parse(username).map(SftpUserNames.Parsed::email).orElse(null);
        if (failedLogins.blocked(email, address)) {
            LOG.info("SFTP login refused: {} from {} by {}: too many failed logins, not checked", username, address, method);
            meters.login(SftpMeters.Outcome.REFUSED);
            return Optional.empty();
        }
        SftpAccess.Decision decision = access.decide(username);
        if (!decision.allowed()) {
            failedLogins.failed(email, address);
            LOG.info("SFTP login refused: {} from {} by {}: {}", username, address, method, decision.refusal());
            meters.login(SftpMeters.Outcome.REFUSED);
            return Optional.empty();
        }
        return Optional.of(decision.grant());
    }

    private boolean shortLivedPassword(SftpAccess.Grant grant, String password) {
        byte[] offered = Sha256.hex(password).getBytes(StandardCharsets.US_ASCII);
        boolean match = false;
        for (SftpPasswordRecord live : passwords.findLive(grant.userId(), grant.environment().id(), Instant.now())) {
            match |= MessageDigest.isEqual(offered, live.passwordSha256().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
        }
        return match;
    }

    private boolean accountPassword(SftpAccess.Grant grant, String password, String address) {
        AuthenticationResult result = identity.authenticate(grant.email(), password);
        if (result instanceof AuthenticationResult.LockedOut lockedOut) {
            LOG.info("SFTP login refused: {} from {}: the account is locked for {}", grant.email(), address, lockedOut.retryAfter());
            return false;
        }
        return result instanceof AuthenticationResult.Authenticated authenticated && authenticated.userId().equals(grant.userId());
    }

    static String address(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null ? inet.getAddress().getHostAddress()
                : String.valueOf(address);
    }
}
