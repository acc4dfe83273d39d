package io.cloudplane.api.gateway;

import io.cloudplane.api.account.SignIn;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.problem.Problem;
import io.cloudplane.api.problem.Problems;
import io.cloudplane.infra.identity.IdentityProvider;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.net.URI;
import java.util.Optional;

/**
 * The gateway's sign-in page, where a browser sent from an environment's host signs in with the
 * identity service, exactly as {@code POST /api/v1/sessions} signs in (the same {@link SignIn}),
 * then goes back through a one-time ticket that sets the host's own session cookie. {@code to} must
 * be the URL of a door of an existing environment, as Cloudplane serves it: never an open redirect.
 */
@Controller(GatewayAccess.SIGN_IN_PATH)
@Secured(SecurityRule.IS_ANONYMOUS)
@Tag(name = "gateway")
public class GatewaySignInController {
    /** The form token's cookie and hidden field (login CSRF). */
    static final String FORM_COOKIE = "cloudplane_sign_in";
    static final String FORM_FIELD = "form";
    private final GatewayAccess access;
    private final GatewaySessions sessions;
    private final SignIn signIn;

    public GatewaySignInController(GatewayAccess access, GatewaySessions sessions, SignIn signIn) {
        this.access = access;
        this.sessions = sessions;
        this.signIn = signIn;
    }

    /** The sign-in form's fields. */
    @Serdeable
    public record SignInForm(@Nullable String email, @Nullable String password, @Nullable String to) {
    }

    /** The sign-in form (HTML), for a return to {@code to}. */
    @Get(produces = {MediaType.TEXT_HTML, MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Problems.BadRequest
    @Operation(operationId = "gatewaySignInPage")
    public HttpResponse<String> page(@Nullable @QueryValue String to, HttpRequest<?> http) {
        target(to, http);
        return form(HttpStatus.OK, to, null, null, http);
    }

    /** Signs in: 303 to the environment's one-time sign-in link; 401 with the form again for a wrong email or password. */
    @Post(consumes = MediaType.APPLICATION_FORM_URLENCODED, produces = {MediaType.TEXT_HTML, MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Problems.BadRequest
    @Problems.Unauthorized
    @Problems.TooManyRequests
    @Operation(operationId = "gatewaySignIn")
    public HttpResponse<String> signIn(@Body String body, HttpRequest<?> http) {
        // read as the form it is (the API's strict JSON binding would take its fields for lists)
        java.util.Map<String, java.util.List<String>> fields = formFields(body);
        java.util.function.Function<String, String> field = name -> fields.containsKey(name) ? fields.get(name).get(0) : null;
        SignInForm form = new SignInForm(field.apply("email"), field.apply("password"), field.apply("to"));
        GatewayAccess.Target target = target(form.to(), http);
        boolean browser = browser(http);
        if (browser && !sameForm(http, field.apply(FORM_FIELD))) {
            // another site's page posting this form would sign the browser in as the attacker (login CSRF)
            return form(HttpStatus.FORBIDDEN, form.to(), form.email(), "This sign-in form has expired or did not come from"
                    + " Cloudplane: sign in again with this one.", http);
        }
        if (form.email() == null || form.email().isBlank() || form.email().length() > 320 || form.email().indexOf('\0') >= 0) {
            return refuse(browser, "email", "is required: the email you signed up with", form, HttpStatus.BAD_REQUEST);
        }
        if (form.password() == null || form.password().isEmpty() || form.password().length() > 1024 || form.password().indexOf('\0') >= 0) {
            return refuse(browser, "password", "is required", form, HttpStatus.BAD_REQUEST);
        }
        IdentityProvider.AuthenticationResult.Authenticated ok;
        try {
            ok = signIn.check(http, form.email(), form.password());
        } catch (ApiException e) {
            if (!browser || (e.status() != HttpStatus.UNAUTHORIZED && e.status() != HttpStatus.TOO_MANY_REQUESTS)) {
                throw e;
            }
            MutableHttpResponse<String> again = form(e.status(), form.to(), form.email(), e.getMessage(), http);
            if (e.retryAfter() != null) {
                again.header("Retry-After", String.valueOf(e.retryAfter().toSeconds()));
            }
            return again;
        }
        String ticket = sessions.issueTicket(ok.userId(), target.place().env().id(), target.place().door(), target.path());
        return HttpResponse.<String>status(HttpStatus.SEE_OTHER).header("Location", target.ticketUrl(ticket))
                .header("Cache-Control", "no-store");
    }

    private GatewayAccess.Target target(@Nullable String to, HttpRequest<?> http) {
        Optional<GatewayAccess.Target> target = to == null || to.length() > 4096 || to.indexOf('\0') >= 0 ? Optional.empty()
                : access.target(to);
        if (target.isEmpty()) {
            if (browser(http)) {
                throw new BadTarget();
            }
            throw ApiException.badRequest("to", "must be the address of a Cloudplane environment to return to");
        }
        return target.get();
    }

    /**
     * Whether a browser's post carries the token of a form this page gave it: the hidden field and
     * the cookie set with the form must be equal (a double-submit token; another site can make the
     * browser post, but can neither read nor set the cookie, which is SameSite=Strict and HttpOnly).
     */
    private static boolean sameForm(HttpRequest<?> http, @Nullable String sent) {
        String kept = http.getCookies().findCookie(FORM_COOKIE).map(io.micronaut.http.cookie.Cookie::getValue).orElse(null);
        return sent != null && kept != null && !kept.isEmpty() && java.security.MessageDigest.isEqual(
                sent.getBytes(java.nio.charset.StandardCharsets.UTF_8), kept.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private HttpResponse<String> refuse(boolean browser, String field, String message, SignInForm form, HttpStatus status) {
        if (!browser) {
            throw ApiException.badRequest(field, message);
        }
        return form(status, form.to(), form.email(), field + " " + message, null);
    }

    private static boolean browser(HttpRequest<?> http) {
        return http.getHeaders().accept().stream().anyMatch(t -> t.getName().equals(MediaType.TEXT_HTML));
    }

    /** The form, with a new form token in its hidden field and in a cookie; with {@code http} null, the request's own token is kept. */
    private static MutableHttpResponse<String> form(HttpStatus status, String to, @Nullable String email, @Nullable String error,
                                                    @Nullable HttpRequest<?> http) {
        String token = io.cloudplane.infra.team.InvitationTokens.newToken();
        String body = (error == null ? "" : "<p class=\"error\">" + GatewayPages.escape(error) + "</p>")
                + "<form method=\"post\" action=\"" + GatewayAccess.SIGN_IN_PATH + "\">"
                + "<input type=\"hidden\" name=\"" + FORM_FIELD + "\" value=\"" + token + "\">"
                + "<input type=\"hidden\" name=\"to\" value=\"" + GatewayPages.escape(to) + "\">"
                + "<label for=\"email\">Email</label><input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" required value=\""
                + GatewayPages.escape(email == null ? "" : email) + "\">"
                + "<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\""
                + " autocomplete=\"current-password\" required>"
                + "<button type=\"submit\">Sign in</button></form>";
        String host = URI.create(to).getHost();
        io.micronaut.http.cookie.Cookie cookie = io.micronaut.http.cookie.Cookie.of(FORM_COOKIE, token).httpOnly(true)
                .sameSite(io.micronaut.http.cookie.SameSite.Strict).path(GatewayAccess.SIGN_IN_PATH).maxAge(java.time.Duration.ofHours(1));
        return HttpResponse.<String>status(status)
                .body(GatewayPages.html("Sign in", "Sign in with your Cloudplane account to continue to " + host + ".", null, body, 0))
                .contentType(MediaType.TEXT_HTML_TYPE.toString() + ";charset=utf-8")
                .header("Cache-Control", "no-store")
                .cookie(cookie);
    }

    /** A browser's {@code to} that is no environment's: a page, not a problem document. */
    static final class BadTarget extends RuntimeException {
        BadTarget() {
            super("not an environment's address", null, false, false);
        }
    }

    @io.micronaut.http.annotation.Error(exception = BadTarget.class)
    HttpResponse<String> badTarget() {
        return HttpResponse.<String>status(HttpStatus.BAD_REQUEST)
                .body(GatewayPages.html("This link goes nowhere", "The address to return to after signing in is not one of a"
                        + " Cloudplane environment.", null, null, 0))
                .contentType(MediaType.TEXT_HTML_TYPE.toString() + ";charset=utf-8");
    }

    /** The form's fields; none for a body with a bad %-escape, which Netty's decoder refuses (so its 400 names the first field missing). */
    private static java.util.Map<String, java.util.List<String>> formFields(String body) {
        try {
            return new io.netty.handler.codec.http.QueryStringDecoder(body, java.nio.charset.StandardCharsets.UTF_8, false, 16).parameters();
        } catch (IllegalArgumentException malformed) {
            return java.util.Map.of();
        }
    }
}
