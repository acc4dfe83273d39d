package io.cloudplane.api.security;

import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.identity.CognitoSettings;
import io.cloudplane.infra.identity.IdentitySettings;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.token.validator.TokenValidator;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * With {@code cloudplane.identity.provider=cognito}, the pool's access tokens are accepted wherever a
 * session token is ({@link CognitoTokens} says which), as the Cloudplane user their
 * {@code username} names, when that user exists. Session tokens Cloudplane signs and API tokens
 * ({@link ApiTokenValidator}) keep working next to them.
 */
@Singleton
@Requires(property = "cloudplane.identity.provider", value = IdentitySettings.COGNITO)
public class CognitoTokenValidator implements TokenValidator<HttpRequest<?>> {
    private static final Logger LOG = LoggerFactory.getLogger(CognitoTokenValidator.class);
    private static final int KNOWN_USERS_MAX = 10_000;
    private final CognitoTokens tokens;
    private final UserRepository users;
    /** Users seen to exist (Cloudplane deletes no user row), so that a token costs one lookup per user and process. */
    private final Set<UUID> knownUsers = ConcurrentHashMap.newKeySet();

    public CognitoTokenValidator(CognitoSettings settings, UserRepository users) {
        this.tokens = new CognitoTokens(settings);
        this.users = users;
    }

    @Override
    public Publisher<Authentication> validateToken(String token, HttpRequest<?> request) {
        if (token == null || token.startsWith(ApiTokenValidator.PREFIX) || token.length() > 8192 || token.chars().filter(c -> c == '.').count() != 2) {
            return Publishers.empty();
        }
        // Blocking, as ApiTokenValidator's lookup is: the key set is fetched at most once per cooldown and kept for minutes.
        Authentication authentication = authenticate(token);
        return authentication == null ? Publishers.empty() : Publishers.just(authentication);
    }

    private Authentication authenticate(String token) {
        CognitoTokens.Result result = tokens.verify(token);
        if (result instanceof CognitoTokens.Result.Refused refused) {
            LOG.debug("Cognito token refused: {}", refused.reason());
            return null;
        }
        UUID userId = ((CognitoTokens.Result.Valid) result).userId();
        if (!knownUsers.contains(userId)) {
            if (!users.existsById(userId)) {
                LOG.debug("Cognito token for {}, who is no Cloudplane user", userId);
                return null;
            }
            if (knownUsers.size() >= KNOWN_USERS_MAX) {
                knownUsers.clear();
            }
            knownUsers.add(userId);
        }
        return Authentication.build(userId.toString(), Map.of("identityProvider", IdentitySettings.COGNITO));
    }
}
