package io.cloudplane.api.console;

import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.cookie.SameSite;
import jakarta.inject.Singleton;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The console's CSRF tokens: an HMAC (under a key derived from the session-signing secret) of what
 * the browser holds and another site cannot read: the session cookie once signed in, else a random
 * pre-session cookie (for the sign-in and sign-up forms, against login CSRF). Every form carries the
 * token in the field {@value #FIELD}, every htmx request in the header {@value #HEADER}. A token is
 * stateless and lasts as long as what it is bound to.
 */
@Singleton
public class ConsoleCsrf {
    public static final String FIELD = "csrf";
    public static final String HEADER = "X-CSRF-Token";
    static final String PRE_SESSION_COOKIE = "cloudplane_console_form";
    private final SecureRandom random = new SecureRandom();
    private final SecretKeySpec key;

    public ConsoleCsrf(@Value("${session-signing-secret}") String secret) {
        try {
            byte[] derived = MessageDigest.getInstance("SHA-256").digest(("cloudplane-console-csrf\0" + secret).getBytes(StandardCharsets.UTF_8));
            this.key = new SecretKeySpec(derived, "HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The token of the sign-in and sign-up forms, bound to the pre-session cookie (a stale session
     * cookie plays no part), with that cookie to set when the browser has none yet.
     */
    public Issued beforeSession(HttpRequest<?> request) {
        Optional<String> kept = preSession(request);
        if (kept.isPresent()) {
            return new Issued(token(kept.get()), null);
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Cookie cookie = Cookie.of(PRE_SESSION_COOKIE, value).path("/").httpOnly(true).sameSite(SameSite.Lax)
                .secure(ConsoleSession.secure(request));
        return new Issued(token(value), cookie);
    }

    /** The token of a signed-in page's forms, bound to the session cookie's value. */
    public String forSession(String sessionCookieValue) {
        return token(sessionCookieValue);
    }

    /** Whether a signed-in request carries its session's token, in the form field or else the htmx header. */
    public boolean validForSession(HttpRequest<?> request, @Nullable String formField) {
        String sent = formField != null ? formField : request.getHeaders().get(HEADER);
        if (sent == null || sent.isEmpty()) {
            return false;
        }
        Optional<String> bound = ConsoleSession.token(request);
        return bound.isPresent() && MessageDigest.isEqual(token(bound.get()).getBytes(StandardCharsets.US_ASCII),
                sent.getBytes(StandardCharsets.US_ASCII));
    }

    /** Whether the pre-session token is valid: for the sign-in and sign-up forms, which a stale session cookie must not block. */
    public boolean validBeforeSession(HttpRequest<?> request, @Nullable String formField) {
        Optional<String> kept = preSession(request);
        return formField != null && kept.isPresent() && MessageDigest.isEqual(token(kept.get()).getBytes(StandardCharsets.US_ASCII),
                formField.getBytes(StandardCharsets.US_ASCII));
    }

    private static Optional<String> preSession(HttpRequest<?> request) {
        return request.getCookies().findCookie(PRE_SESSION_COOKIE).map(Cookie::getValue).filter(v -> v.length() == 43);
    }

    private String token(String boundTo) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(boundTo.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code cookie}: the pre-session cookie to set, or null. */
    public record Issued(String token, @Nullable Cookie cookie) {
    }
}
