package io.cloudplane.infra.identity;

import java.time.Duration;
import java.util.UUID;

/**
 * Who a person is. Cloudplane keeps its own user rows; the provider keeps the credentials: the
 * local store ({@link LocalIdentityProvider}) or an AWS Cognito user pool
 * ({@link CognitoIdentityProvider}), chosen by {@code cloudplane.identity.provider}.
 */
public interface IdentityProvider {

    /** Stores the credentials of a user whose row was just created, in the caller's transaction. */
    void register(UUID userId, String email, String password);

    /** Checks a password; never says whether the email exists. */
    AuthenticationResult authenticate(String email, String password);

    /**
     * A person invited by email who has no account yet: the provider prepares what it keeps for
     * them, without a message of its own (Cloudplane sends the invitation). Idempotent. The local
     * store keeps nothing before the person signs up with the invitation.
     */
    void prepareInvitee(String email, String firstName, String lastName);

    /**
     * The user's membership of an environment with a profile, declared where the provider keeps
     * identities, so that an application validating the provider's tokens sees the profile
     * (Cognito: a group per environment and profile). Replaces a profile declared before for that
     * environment. Idempotent. Local accounts: Cloudplane's own tables are the declaration.
     */
    void declareMembership(UUID userId, String email, UUID envId, String profile);

    /** Takes back what {@link #declareMembership} declared for that environment. Idempotent. */
    void withdrawMembership(UUID userId, String email, UUID envId);

    sealed interface AuthenticationResult {
        /**
         * The password was right. {@code token} is the provider's own access token when the
         * provider issues the session (Cognito), and null when Cloudplane signs its own (local).
         */
        record Authenticated(UUID userId, IssuedToken token) implements AuthenticationResult {
            public Authenticated(UUID userId) {
                this(userId, null);
            }
        }

        record Rejected() implements AuthenticationResult {
        }

        /** Too many failed attempts: try again after {@code retryAfter}. */
        record LockedOut(Duration retryAfter) implements AuthenticationResult {
        }
    }

    /** An access token the provider issued, valid for {@code expiresIn}; never logged. */
    record IssuedToken(String accessToken, Duration expiresIn) {
        @Override
        public String toString() {
            return "IssuedToken[expiresIn=" + expiresIn + "]";
        }
    }
}
