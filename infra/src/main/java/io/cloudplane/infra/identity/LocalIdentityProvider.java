package io.cloudplane.infra.identity;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.cloudplane.infra.account.LocalCredentialRecord;
import io.cloudplane.infra.account.LocalCredentialRepository;
import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Cloudplane's own account store: bcrypt hashes, and a lock after repeated failures. After
 * {@code cloudplane.identity.max-failed-logins} (default 5) failed logins in a row, the account
 * refuses logins for {@code cloudplane.identity.lockout} (default 15 minutes), even with the right
 * password.
 */
@Singleton
@Requires(property = "cloudplane.identity.provider", value = "local", defaultValue = "local")
public class LocalIdentityProvider implements IdentityProvider {
    private final UserRepository users;
    private final LocalCredentialRepository credentials;
    private final int cost;
    private final int maxFailures;
    private final Duration lockout;
    private final Clock clock;
    private final byte[] dummyHash;

    public LocalIdentityProvider(UserRepository users, LocalCredentialRepository credentials, IdentitySettings settings) {
        this.users = users;
        this.credentials = credentials;
        this.cost = settings.bcryptCost();
        this.maxFailures = settings.maxFailedLogins();
        this.lockout = settings.lockout();
        this.clock = Clock.systemUTC();
        this.dummyHash = BCrypt.withDefaults().hash(cost, "not-a-password".getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void register(UUID userId, String email, String password) {
        String hash = BCrypt.withDefaults().hashToString(cost, password.toCharArray());
        credentials.save(new LocalCredentialRecord(userId, hash, 0, null));
    }

    @Override
    public AuthenticationResult authenticate(String email, String password) {
        Optional<UserRecord> user = users.findByEmailIgnoringCase(email);
        Optional<LocalCredentialRecord> credential = user.flatMap(u -> credentials.findById(u.id()));
        if (credential.isEmpty()) {
            // Same work as a real check, so that timing does not tell which emails exist.
            BCrypt.verifyer().verify(password.toCharArray(), dummyHash);
            return new AuthenticationResult.Rejected();
        }
        LocalCredentialRecord c = credential.get();
        Instant now = clock.instant();
        if (c.lockedUntil() != null && now.isBefore(c.lockedUntil())) {
            return new AuthenticationResult.LockedOut(Duration.between(now, c.lockedUntil()));
        }
        if (BCrypt.verifyer().verify(password.toCharArray(), c.passwordHash()).verified) {
            if (c.failedAttempts() > 0 || c.lockedUntil() != null) {
                credentials.updateAttempts(c.userId(), 0, null);
            }
            return new AuthenticationResult.Authenticated(c.userId());
        }
        int failures = c.lockedUntil() != null ? 1 : c.failedAttempts() + 1;
        if (failures >= maxFailures) {
            credentials.updateAttempts(c.userId(), 0, now.plus(lockout));
            return new AuthenticationResult.LockedOut(lockout);
        }
        credentials.updateAttempts(c.userId(), failures, null);
        return new AuthenticationResult.Rejected();
    }

    /** Local accounts are created at sign-up, with the invitation's token: nothing before. */
    @Override
    public void prepareInvitee(String email, String firstName, String lastName) {
        // nothing to prepare: see the interface
    }

    /** The memberships live in Cloudplane's own tables (environment_users, app_members): nothing else to declare. */
    @Override
    public void declareMembership(UUID userId, String email, UUID envId, String profile) {
        // declared by the membership row itself
    }

    @Override
    public void withdrawMembership(UUID userId, String email, UUID envId) {
        // withdrawn by the membership row's deletion
    }
}
