package io.cloudplane.api.console;

import io.micronaut.http.HttpMethod;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.cookie.SameSite;
import io.micronaut.http.simple.SimpleHttpRequest;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsoleSessionTest {

    @Test
    void theCookieIsHttpOnlyLaxAndSecureOverHttps() {
        SimpleHttpRequest<String> plain = new SimpleHttpRequest<>(HttpMethod.GET, "/apps", null);
        Cookie overHttp = ConsoleSession.cookie("token", plain);
        assertTrue(overHttp.isHttpOnly());
        assertEquals(Optional.of(SameSite.Lax), overHttp.getSameSite());
        assertEquals("/", overHttp.getPath());
        assertFalse(overHttp.isSecure(), "a browser keeps no Secure cookie from plain HTTP (the all-in-one on 127.0.0.1)");

        SimpleHttpRequest<String> behindTls = new SimpleHttpRequest<>(HttpMethod.GET, "/apps", null);
        behindTls.header("X-Forwarded-Proto", "https");
        assertTrue(ConsoleSession.cookie("token", behindTls).isSecure(), "Secure when the console is reached over HTTPS");
    }

    @Test
    void anEmptyOrOversizedCookieIsNoToken() {
        SimpleHttpRequest<String> empty = new SimpleHttpRequest<>(HttpMethod.GET, "/apps", null);
        empty.cookie(Cookie.of(ConsoleSession.COOKIE, ""));
        assertTrue(ConsoleSession.token(empty).isEmpty());
        SimpleHttpRequest<String> huge = new SimpleHttpRequest<>(HttpMethod.GET, "/apps", null);
        huge.cookie(Cookie.of(ConsoleSession.COOKIE, "x".repeat(9000)));
        assertTrue(ConsoleSession.token(huge).isEmpty());
    }
}
