package io.cloudplane.api.console;

import io.micronaut.http.HttpMethod;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.simple.SimpleHttpRequest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsoleCsrfTest {
    private final ConsoleCsrf csrf = new ConsoleCsrf("a-signing-secret-of-enough-length-for-hs256");

    @Test
    void aSessionsTokenIsAcceptedForThatSessionOnly() {
        String token = csrf.forSession("session-a");
        assertTrue(csrf.validForSession(withSession("session-a"), token));
        assertFalse(csrf.validForSession(withSession("session-b"), token), "another session's token");
        assertFalse(csrf.validForSession(withSession("session-a"), null), "no token");
        assertFalse(csrf.validForSession(withSession("session-a"), token.substring(1)), "a changed token");
        assertFalse(csrf.validForSession(request("/apps"), token), "no session cookie");
    }

    @Test
    void htmxRequestsCarryTheTokenInAHeader() {
        String token = csrf.forSession("session-a");
        assertTrue(csrf.validForSession(withSession("session-a").header(ConsoleCsrf.HEADER, token), null));
        assertFalse(csrf.validForSession(withSession("session-a").header(ConsoleCsrf.HEADER, "forged"), null));
    }

    @Test
    void theSignInFormsTokenIsBoundToThePreSessionCookie() {
        ConsoleCsrf.Issued first = csrf.beforeSession(request("/sign-in"));
        assertNotNull(first.cookie(), "a browser without the cookie gets one");
        assertTrue(first.cookie().isHttpOnly());
        MutableHttpRequest<String> post = request("/sign-in").cookie(first.cookie());
        assertTrue(csrf.validBeforeSession(post, first.token()));
        ConsoleCsrf.Issued again = csrf.beforeSession(request("/sign-in").cookie(first.cookie()));
        assertNull(again.cookie(), "the cookie is kept");
        assertEquals(first.token(), again.token());
        ConsoleCsrf.Issued other = csrf.beforeSession(request("/sign-in"));
        assertNotEquals(first.token(), other.token());
        assertFalse(csrf.validBeforeSession(post, other.token()), "another browser's form");
        assertFalse(csrf.validBeforeSession(request("/sign-in"), first.token()), "no cookie");
    }

    @Test
    void anotherSecretMakesOtherTokens() {
        assertNotEquals(csrf.forSession("s"), new ConsoleCsrf("another-signing-secret-of-enough-length").forSession("s"));
    }

    /** A request that keeps cookies as the server's does (the client's request has none to read). */
    private static MutableHttpRequest<String> request(String path) {
        return new SimpleHttpRequest<>(HttpMethod.POST, path, "");
    }

    private static MutableHttpRequest<String> withSession(String value) {
        return request("/apps").cookie(Cookie.of(ConsoleSession.COOKIE, value));
    }
}
