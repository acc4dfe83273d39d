package io.cloudplane.api.console;

import io.cloudplane.api.app.Views;
import io.cloudplane.api.environment.EnvironmentController;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.views.ModelAndView;
import io.netty.handler.codec.http.QueryStringDecoder;
import jakarta.inject.Singleton;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * What every console controller needs: who is signed in, the CSRF check of a form, the panel's
 * frame (the app, its environment tabs and the concern tabs), and the responses the console gives
 * (a page, a redirect, the sign-in page for an expired session, a refused form). Each concern of
 * the app panel (General, Metrics, Logs, Team, Backups, Deploy, Access files) has its own
 * controller in this package and renders inside {@code panelShell.jte} with {@link #frame}.
 *
 * <p>Rules every console route follows (ConsoleRoutesTest checks them for each route): a POST checks
 * the CSRF token before anything else and answers 403 without it; a route under {@code /apps/{appId}}
 * answers a stranger 404 (through {@link AccessService}) and never shows the app; a request htmx makes
 * without a session is told to load the sign-in page ({@link #toSignIn}).
 */
@Singleton
public class ConsoleSupport {
    private final ConsoleSession sessions;
    private final ConsoleCsrf csrf;
    private final AccessService access;
    private final EnvironmentController environmentsApi;

    public ConsoleSupport(ConsoleSession sessions, ConsoleCsrf csrf, AccessService access, EnvironmentController environmentsApi) {
        this.sessions = sessions;
        this.csrf = csrf;
        this.access = access;
        this.environmentsApi = environmentsApi;
    }

    /** The signed-in user, if any. */
    public Optional<UUID> user(HttpRequest<?> http) {
        return sessions.user(http);
    }

    /** The CSRF token of a signed-in page (the caller checked the session). */
    public String csrf(HttpRequest<?> http) {
        return csrf.forSession(ConsoleSession.token(http).orElseThrow());
    }

    /** Whether a signed-in form (or htmx request, by its header) carries the session's CSRF token. */
    public boolean validForm(HttpRequest<?> http, Map<String, String> form) {
        return csrf.validForSession(http, form.get(ConsoleCsrf.FIELD));
    }

    /**
     * The panel's frame for an environment of an app the user sees, on the concern shown: 404 for a
     * stranger (as the API answers), 403 for the app's end users.
     */
    public ConsolePages.Frame frame(HttpRequest<?> http, UUID user, UUID appId, UUID envId, ConsolePages.Concern concern) {
        Access a = access.requireApp(user, appId).requireTeam(Access.END_USERS_REFUSED);
        List<Views.EnvironmentView> envs = environmentsApi.list(appId, auth(user)).items();
        Views.EnvironmentView selected = envs.stream().filter(e -> e.id().equals(envId)).findFirst()
                .orElseThrow(() -> ApiException.notFound("Environment " + envId));
        List<ConsolePages.Environment> tabs = envs.stream()
                .map(e -> new ConsolePages.Environment(e.id(), e.name(), e.type(), e.status())).toList();
        return new ConsolePages.Frame(csrf(http), appId, a.app().name(), tabs, selected, concern);
    }

    /** What a console form does once its poster is signed in and its CSRF token checked. */
    @FunctionalInterface
    public interface FormAction {
        HttpResponse<?> run(UUID user, Map<String, String> form);
    }

    /**
     * A form's post, as every console form goes: signed out (or the session expired), to sign-in; without its
     * CSRF token, 403 before anything else is read or done; else the action, with the user and the form's fields.
     */
    public HttpResponse<?> post(HttpRequest<?> http, @Nullable String body, FormAction action) {
        Optional<UUID> user = user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        Map<String, String> form = form(body);
        if (!validForm(http, form)) {
            return expiredForm();
        }
        return action.run(user.get(), form);
    }

    // ---- responses

    /** A page (or fragment) rendered from {@code view}.jte with {@code model} as its {@code page}. */
    public static MutableHttpResponse<?> page(HttpStatus status, String view, Object model) {
        return HttpResponse.status(status).body(new ModelAndView<>(view, Map.of("page", model)))
                .header("Cache-Control", "no-store");
    }

    /** Whether htmx made this request (for a part of a page). */
    public static boolean htmx(HttpRequest<?> http) {
        return "true".equals(http.getHeaders().get("HX-Request"));
    }

    /**
     * Signed out (or the session expired): a page goes to the sign-in form; a request that htmx makes
     * for a part of a page is told to load the sign-in page whole ({@code HX-Redirect}), so no sign-in
     * form ends up inside the panel.
     */
    public static MutableHttpResponse<?> toSignIn(HttpRequest<?> http) {
        if (htmx(http)) {
            return HttpResponse.status(HttpStatus.UNAUTHORIZED).header("HX-Redirect", ConsoleController.SIGN_IN)
                    .header("Cache-Control", "no-store");
        }
        return seeOther(ConsoleController.SIGN_IN);
    }

    /**
     * An API refusal that no form caught (a stranger's 404, an end user's 403) as the console's problem page, in
     * the API's words; an expired session goes to sign-in. Every console controller's {@code @Error} handler.
     */
    public static MutableHttpResponse<?> refused(HttpRequest<?> http, ApiException e) {
        if (e.status() == HttpStatus.UNAUTHORIZED) {
            return toSignIn(http);
        }
        return page(e.status(), "problem", new ConsolePages.Problem(e.status().getCode(), e.status().getReason(), e.getMessage()));
    }

    /** A signed-in form without its CSRF token: 403, nothing changed. */
    public static MutableHttpResponse<?> expiredForm() {
        return page(HttpStatus.FORBIDDEN, "problem", new ConsolePages.Problem(403, "Forbidden",
                "This form has expired or did not come from Cloudplane: reload the page and try again."));
    }

    /** 303 to {@code location}; for htmx, which follows redirects itself, the new page is loaded whole. */
    public static MutableHttpResponse<?> seeOther(String location) {
        return HttpResponse.status(HttpStatus.SEE_OTHER).headers(h -> h.location(URI.create(location))).header("Cache-Control", "no-store");
    }

    public static MutableHttpResponse<?> withCookie(MutableHttpResponse<?> response, @Nullable Cookie cookie) {
        return cookie == null ? response : response.cookie(cookie);
    }

    // ---- calling the API's controllers and reading forms

    /** The user as the API's controllers take it. */
    public static Authentication auth(UUID user) {
        return Authentication.build(user.toString());
    }

    /** An urlencoded form body: each field's first value; none when the body is malformed. */
    public static Map<String, String> form(@Nullable String body) {
        Map<String, List<String>> fields;
        try {
            fields = new QueryStringDecoder(body == null ? "" : body, StandardCharsets.UTF_8, false, 64).parameters();
        } catch (IllegalArgumentException malformed) {
            return Map.of(); // a body no browser sends (a stray %): no field, so no CSRF token, and the form is refused
        }
        return fields.entrySet().stream().filter(e -> !e.getValue().isEmpty())
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get(0)));
    }

    public static boolean blank(@Nullable String s) {
        return s == null || s.isBlank();
    }

    public static @Nullable String trimmed(@Nullable String s) {
        return s == null ? null : s.trim();
    }

    /** An API refusal in words, with the fields it names: what a form shows. */
    public static String message(ApiException e) {
        return e.getMessage() + (e.errors() == null || e.errors().isEmpty() ? "" : " " + e.errors().stream()
                .map(f -> (f.field() == null ? "" : f.field() + " ") + f.message()).collect(Collectors.joining("; ")));
    }

    /** Bean-validation refusals in words, each with its field. */
    public static String message(ConstraintViolationException e) {
        return e.getConstraintViolations().stream()
                .map(v -> lastNode(v) + " " + v.getMessage()).sorted().collect(Collectors.joining("; "));
    }

    private static String lastNode(ConstraintViolation<?> v) {
        String path = v.getPropertyPath().toString();
        return path.substring(path.lastIndexOf('.') + 1);
    }
}
