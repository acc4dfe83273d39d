package io.cloudplane.api.security;

import io.micronaut.security.token.claims.JtiGenerator;
import jakarta.inject.Singleton;

import java.util.UUID;

/**
 * Gives every session token a random {@code jti}: without one, two logins of one user within the
 * same second were signed from the same claims and got the very same token (found by the secret-leak
 * search, which saw one session's token in another login's answer).
 */
@Singleton
public class SessionIds implements JtiGenerator {
    @Override
    public String generateJtiClaim() {
        return UUID.randomUUID().toString();
    }
}
