package io.cloudplane.infra.identity;

import java.time.Duration;
import java.util.UUID;

/**
 * Who a person is. Cloudplane keeps its own user rows; the provider keeps the credentials: the
 * local store here, Cognito later.
 */
public interface IdentityProvider {

    /** Stores the credentials of a user whose row was just created, in the caller's transaction. */
    void register(UUID userId, String email, String password);

    /** Checks a password; never says whether the email exists. */
    AuthenticationResult authenticate(String email, String password);

    sealed interface AuthenticationResult {
        record Authenticated(UUID userId) implements AuthenticationResult {
        }

        record Rejected() implements AuthenticationResult {
        }

        /** Too many failed attempts: try again after {@code retryAfter}. */
        record LockedOut(Duration retryAfter) implements AuthenticationResult {
        }
    }
}
