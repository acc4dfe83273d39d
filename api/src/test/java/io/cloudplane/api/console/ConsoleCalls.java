package io.cloudplane.api.console;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.exceptions.HttpClientResponseException;
import io.micronaut.http.cookie.Cookie;

import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the tests that walk every console route share (ConsoleRoutesTest, ConsoleHostileInputTest): an
 * account signed up through the API, a console request with its session cookie, an API call with its
 * bearer token (a refusal answered, not thrown), and a route's path with its parameters filled in.
 */
final class ConsoleCalls {
    static final String PASSWORD = "correct-horse-battery";
    private static final Pattern PARAMETER = Pattern.compile("\\{([A-Za-z]+)[^}]*}");
    private final HttpClient http;

    record User(UUID id, String token) {
    }

    ConsoleCalls(HttpClient http) {
        this.http = http;
    }

    /** A new account (its email starts with {@code prefix}) and an API session token for it, which is also the console's cookie. */
    User signUp(String prefix, String lastName) {
        String email = prefix + "-" + UUID.randomUUID() + "@example.com";
        var created = http.toBlocking().exchange(HttpRequest.POST("/api/v1/accounts", Map.of("email", email, "password", PASSWORD,
                "firstName", "Ada", "lastName", lastName)), Argument.mapOf(String.class, Object.class));
        UUID id = UUID.fromString((String) ((Map<?, ?>) created.body().get("account")).get("id"));
        String token = (String) http.toBlocking().exchange(HttpRequest.POST("/api/v1/sessions", Map.of("email", email, "password", PASSWORD)),
                Argument.mapOf(String.class, Object.class)).body().get("accessToken");
        return new User(id, token);
    }

    /** A console request, signed in as {@code user} (none: signed out); a 4xx or 5xx is answered with its headers and body. */
    HttpResponse<String> console(MutableHttpRequest<?> request, @Nullable User user) {
        if (user != null) {
            request.cookie(Cookie.of(ConsoleSession.COOKIE, user.token()));
        }
        try {
            return http.toBlocking().exchange(request, String.class);
        } catch (HttpClientResponseException e) {
            return HttpResponse.<String>status(e.getStatus()).headers(h -> e.getResponse().getHeaders()
                    .forEach((name, values) -> values.forEach(v -> h.add(name, v)))).body(e.getResponse().getBody(String.class).orElse(""));
        }
    }

    @SuppressWarnings("unchecked")
    HttpResponse<Map<String, Object>> api(MutableHttpRequest<?> request, User user) {
        request.bearerAuth(user.token());
        try {
            return http.toBlocking().exchange(request, Argument.mapOf(String.class, Object.class));
        } catch (HttpClientResponseException e) {
            return (HttpResponse<Map<String, Object>>) e.getResponse();
        }
    }

    /**
     * The route's path with the app and environment filled in; every other parameter a random id, or, when
     * {@code other} is given, that value in the app's place and every other parameter's.
     */
    static String fill(String template, String appId, String envId, @Nullable String other) {
        Matcher m = PARAMETER.matcher(template.replaceAll("\\{\\?[^}]*}", ""));
        StringBuilder path = new StringBuilder();
        while (m.find()) {
            String value = switch (m.group(1)) {
                case "appId" -> other == null ? appId : other;
                case "envId" -> envId;
                default -> other == null ? UUID.randomUUID().toString() : other;
            };
            m.appendReplacement(path, Matcher.quoteReplacement(value));
        }
        m.appendTail(path);
        return path.toString();
    }
}
