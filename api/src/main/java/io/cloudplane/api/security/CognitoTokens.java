package io.cloudplane.api.security;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.cloudplane.infra.identity.CognitoSettings;

import java.net.MalformedURLException;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Checks an access token of the Cognito user pool (Nimbus JOSE + JWT) and names the Cloudplane user
 * it is for:
 * <ul>
 *   <li>signed with RS256, and nothing else (no {@code none}, no HMAC), by a key of the pool's key
 *   set ({@link CognitoSettings#jwksUri()}), found by its {@code kid}. The key set is kept for 5
 *   minutes; a {@code kid} it does not hold makes it fetched again, at most once per
 *   {@code jwks-refresh-cooldown} (Nimbus' rate-limited source), so forged key IDs can't make
 *   Cloudplane hammer the pool;</li>
 *   <li>{@code iss} exactly the pool's, {@code token_use} exactly {@code access} (ID tokens are
 *   refused: they are for the client that asked for them, and the API is a resource server),
 *   {@code client_id} the configured app client's;</li>
 *   <li>{@code exp} in the future and {@code iat} not in the future, both with
 *   {@code clock-skew} of leeway;</li>
 *   <li>{@code username} a Cloudplane user ID (see {@code CognitoIdentityProvider}).</li>
 * </ul>
 * A {@code typ} header, when present, must be {@code JWT} (Cognito's tokens have none).
 */
public class CognitoTokens {
    private final ConfigurableJWTProcessor<SecurityContext> processor;
    private final String clientId;
    private final long skewMillis;

    public CognitoTokens(CognitoSettings settings) {
        JWKSource<SecurityContext> keys;
        try {
            keys = JWKSourceBuilder.create(settings.jwksUri().toURL())
                    .rateLimited(settings.jwksRefreshCooldown().toMillis())
                    .build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("Bad JWKS URL " + settings.jwksUri(), e);
        }
        this.clientId = settings.clientId();
        this.skewMillis = settings.clockSkew().toMillis();
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        p.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null));
        p.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                new JWTClaimsSet.Builder().issuer(settings.expectedIssuer()).claim("token_use", "access").build(),
                Set.of("sub", "exp", "iat", "client_id", "username"));
        claims.setMaxClockSkew((int) settings.clockSkew().toSeconds());
        p.setJWTClaimsSetVerifier(claims);
        this.processor = p;
    }

    /** The Cloudplane user the token is for, or why it is refused. */
    public Result verify(String token) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (BadJWTException e) {
            return new Result.Refused("claims: " + e.getMessage());
        } catch (Exception e) {
            return new Result.Refused(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        if (!clientId.equals(claims.getClaim("client_id"))) {
            return new Result.Refused("client_id is not the configured app client's");
        }
        if (claims.getIssueTime().getTime() > System.currentTimeMillis() + skewMillis) {
            return new Result.Refused("issued in the future");
        }
        Object username = claims.getClaim("username");
        Optional<UUID> userId = uuid(username);
        return userId.<Result>map(Result.Valid::new).orElseGet(() -> new Result.Refused("username is not a Cloudplane user ID"));
    }

    private static Optional<UUID> uuid(Object value) {
        if (!(value instanceof String s) || s.length() != 36) {
            return Optional.empty();
        }
        try {
            return Optional.of(UUID.fromString(s));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public sealed interface Result {
        record Valid(UUID userId) implements Result {
        }

        record Refused(String reason) implements Result {
        }
    }
}
