package io.cloudplane.api.security;

import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The limits over HTTP, small enough to reach: the test talks from 127.0.0.1, which it makes a
 * trusted proxy, so that X-Forwarded-For gives each request the client address the test wants.
 */
@MicronautTest(transactional = false)
@Property(name = "cloudplane.rate-limit.logins-per-account", value = "3")
@Property(name = "cloudplane.rate-limit.logins-per-address", value = "5")
@Property(name = "cloudplane.rate-limit.login-window", value = "3s")
@Property(name = "cloudplane.rate-limit.sign-ups-per-address", value = "2")
@Property(name = "cloudplane.rate-limit.sign-ups-per-email", value = "2")
@Property(name = "cloudplane.rate-limit.trusted-proxies", value = "127.0.0.1,::1")
class RateLimitsApiTest {
    @Inject EmbeddedServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> post(String path, String clientAddress, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.getURL() + path))
                .header("Content-Type", "application/json")
                .header("X-Forwarded-For", clientAddress)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> signUp(String address, String email) throws Exception {
        return post("/api/v1/accounts", address, "{\"email\":\"" + email
                + "\",\"password\":\"correct-horse-battery\",\"firstName\":\"Ada\",\"lastName\":\"Lovelace\"}");
    }

    private HttpResponse<String> logIn(String address, String email) throws Exception {
        return post("/api/v1/sessions", address, "{\"email\":\"" + email + "\",\"password\":\"correct-horse-battery\"}");
    }

    private static long assertTooMany(HttpResponse<String> response, long maxSeconds) {
        assertEquals(429, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        long retryAfter = Long.parseLong(response.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= maxSeconds, "Retry-After " + retryAfter);
        return retryAfter;
    }

    private static String email() {
        return "rate-" + UUID.randomUUID() + "@example.com";
    }

    @Test
    void theFourthLoginToAnAccountIs429WithRetryAfterOthersAreNotAffectedAndTheLimitResets() throws Exception {
        String ada = email();
        String grace = email();
        assertEquals(201, signUp("198.51.100.1", ada).statusCode());
        assertEquals(201, signUp("198.51.100.2", grace).statusCode());
        for (int i = 1; i <= 3; i++) {
            assertEquals(200, logIn("198.51.100.1" + i, ada).statusCode(), "login " + i);
        }
        long retryAfter = assertTooMany(logIn("198.51.100.20", ada), 3);
        assertEquals(200, logIn("198.51.100.20", grace).statusCode(), "another account, even from that address");

        Thread.sleep(retryAfter * 1000);
        assertEquals(200, logIn("198.51.100.21", ada).statusCode(), "after Retry-After the account may log in again");
    }

    @Test
    void theSixthLoginFromAnAddressIs429AndAnotherAddressIsNotAffected() throws Exception {
        String[] users = new String[6];
        for (int i = 0; i < users.length; i++) {
            users[i] = email();
            assertEquals(201, signUp("192.0.2." + (10 + i), users[i]).statusCode());
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(200, logIn("203.0.113.50", users[i]).statusCode(), "login " + (i + 1));
        }
        assertTooMany(logIn("203.0.113.50", users[5]), 3);
        assertEquals(200, logIn("203.0.113.51", users[5]).statusCode());
    }

    @Test
    void theThirdSignUpFromAnAddressWithinTheHourIs429AndChangesNothing() throws Exception {
        assertEquals(201, signUp("2001:db8::7", email()).statusCode());
        assertEquals(201, signUp("2001:db8::7", email()).statusCode());
        String refusedEmail = email();
        assertTooMany(signUp("2001:db8::7", refusedEmail), 3600);
        assertEquals(401, logIn("2001:db8::8", refusedEmail).statusCode(), "no account was made");
        assertEquals(201, signUp("2001:db8::8", email()).statusCode(), "another address may sign up");
    }
}
