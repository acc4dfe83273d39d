package io.cloudplane.api.security;

import io.cloudplane.infra.crypto.Sha256;
import io.cloudplane.infra.account.ApiTokenRecord;
import io.cloudplane.infra.account.ApiTokenRepository;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.token.validator.TokenValidator;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Accepts API tokens ({@code cpt_...}) wherever a session token is accepted. Only their SHA-256 is
 * stored. The token's scope goes into the authentication, where {@link TokenScopeFilter} enforces it.
 */
@Singleton
public class ApiTokenValidator implements TokenValidator<HttpRequest<?>> {
    public static final String PREFIX = "cpt_";
    private final ApiTokenRepository tokens;

    public ApiTokenValidator(ApiTokenRepository tokens) {
        this.tokens = tokens;
    }

    @Override
    public Publisher<Authentication> validateToken(String token, HttpRequest<?> request) {
        if (token == null || !token.startsWith(PREFIX) || token.length() > 200) {
            return Publishers.empty();
        }
        Optional<ApiTokenRecord> record = tokens.findByTokenHash(Sha256.hex(token));
        Instant now = Instant.now();
        if (record.isEmpty() || !record.get().expiresAt().isAfter(now)) {
            return Publishers.empty();
        }
        ApiTokenRecord t = record.get();
        if (t.lastUsedAt() == null || t.lastUsedAt().isBefore(now.minus(Duration.ofMinutes(1)))) {
            tokens.touch(t.id(), now);
        }
        Map<String, Object> attributes = new HashMap<>(new TokenScope(t.scope(), t.appId()).attributes());
        attributes.put("tokenId", t.id().toString());
        return Publishers.just(Authentication.build(t.userId().toString(), attributes));
    }
}
