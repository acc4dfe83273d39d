package io.cloudplane.api.console;

import com.nimbusds.jwt.JWT;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.config.CloudplaneSettings;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.cookie.SameSite;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.token.jwt.generator.JwtTokenGenerator;
import io.micronaut.security.token.jwt.validator.JsonWebTokenValidator;
import jakarta.inject.Singleton;

import java.text.ParseException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The console's sign-in: the API's own session token (the JWT of {@code POST /api/v1/sessions}, same
 * key, same lifetime) kept in an HttpOnly, SameSite=Lax cookie, Secure when the console is reached
 * over HTTPS. The API itself never reads this cookie (it takes bearer tokens only), so a page of
 * another site cannot call the API with it; the console's own forms carry a CSRF token ({@link ConsoleCsrf}).
 */
@Singleton
public class ConsoleSession {
    public static final String COOKIE = "cloudplane_console";
    private final JwtTokenGenerator tokens;
    private final JsonWebTokenValidator<JWT, HttpRequest<?>> validator;
    private final UserRepository users;
    private final int sessionSeconds;

    public ConsoleSession(JwtTokenGenerator tokens, JsonWebTokenValidator<JWT, HttpRequest<?>> validator, UserRepository users,
                          CloudplaneSettings settings) {
        this.tokens = tokens;
        this.validator = validator;
        this.users = users;
        this.sessionSeconds = settings.sessionLifetimeSeconds();
    }

    /** The signed-in user: a valid, unexpired token of a user who still exists. */
    public Optional<UUID> user(HttpRequest<?> request) {
        return token(request).flatMap(token -> validator.validate(token, request)).flatMap(ConsoleSession::subject)
                .filter(users::existsById);
    }

    /** The session cookie's value, valid or not (the CSRF token is bound to it). */
    static Optional<String> token(HttpRequest<?> request) {
        return request.getCookies().findCookie(COOKIE).map(Cookie::getValue).filter(v -> !v.isBlank() && v.length() < 8192);
    }

    /** A cookie that signs {@code userId} in for the session lifetime. */
    public Cookie open(UUID userId, HttpRequest<?> request) {
        String token = tokens.generateToken(Authentication.build(userId.toString(), Map.of()), sessionSeconds)
                .orElseThrow(() -> new IllegalStateException("no session token could be signed"));
        return cookie(token, request).maxAge(Duration.ofSeconds(sessionSeconds));
    }

    /** The cookie that signs the browser out. */
    public Cookie close(HttpRequest<?> request) {
        return cookie("", request).maxAge(0);
    }

    static Cookie cookie(String value, HttpRequest<?> request) {
        return Cookie.of(COOKIE, value).path("/").httpOnly(true).sameSite(SameSite.Lax).secure(secure(request));
    }

    static boolean secure(HttpRequest<?> request) {
        return request.isSecure() || "https".equalsIgnoreCase(request.getHeaders().get("X-Forwarded-Proto"));
    }

    private static Optional<UUID> subject(JWT jwt) {
        try {
            String subject = jwt.getJWTClaimsSet().getSubject();
            return subject == null ? Optional.empty() : Optional.of(UUID.fromString(subject));
        } catch (ParseException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
