package io.cloudplane.api.console;

import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * The console's security headers on each of its responses: a Content-Security-Policy that allows
 * no inline script and nothing from another origin (htmx is served by this process, and its
 * indicator styles, which it would inject inline, are turned off in the page's htmx-config), no
 * framing, no MIME sniffing, no referrer beyond this origin. The same paths as the console's routes
 * (and worker.WorkerOnlyFilter's list of them).
 */
@ServerFilter({"/", "/sign-in", "/sign-up", "/sign-out", "/apps", "/apps/**", "/assets/**", "/invitations/**", "/operator", "/operator/**"})
public class ConsoleHeaders {
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    @ResponseFilter
    public void secure(MutableHttpResponse<?> response) {
        response.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        response.header("X-Content-Type-Options", "nosniff");
        response.header("X-Frame-Options", "DENY");
        response.header("Referrer-Policy", "same-origin");
    }
}
