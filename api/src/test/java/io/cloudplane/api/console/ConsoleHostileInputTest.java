package io.cloudplane.api.console;

import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.web.router.Router;
import io.micronaut.web.router.UriRouteInfo;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input on every console route the router has (the console's part of the hostile-input harness,
 * whose HostileInputTest covers the OpenAPI document, which leaves the console out): each POST gets
 * hostile form bodies carrying a valid session and CSRF token (so the form's own handling is reached),
 * each page hostile query values and path segments. Nothing may answer 5xx, and no value may come back
 * unescaped (the marker script never appears as markup in a page).
 */
@MicronautTest(transactional = false)
class ConsoleHostileInputTest {
    private static final String MARKER = "<script>alert('cloudplane')</script>";
    /** The fields the console's forms read, and more: a form ignores what it does not know. */
    private static final List<String> FIELDS = List.of("name", "email", "password", "firstName", "lastName", "hostname", "confirm",
            "profile", "label", "publicKey", "description", "comment", "releaseId", "release", "source", "deploymentId", "promotionId",
            "memberId", "invitationId", "userId", "access", "from", "to", "range", "lines", "hour", "minute", "cron", "time", "enabled",
            "retention", "retentionDays", "frequency", "backupId", "token", "operation", "env", "keyId", "follow", "step", "kind");
    private static final List<String> VALUES = List.of("", " ", MARKER, "x".repeat(10_000), "\u0000", "\u202e\ud83d\ude00",
            "'; drop table apps; --", "../../../etc/passwd", "-1", "99999999999999999999999", "1e309", "not-a-uuid",
            "00000000-0000-0000-0000-000000000000", "true", "%zz", "{\"a\":1}");
    @Inject @Client("/") HttpClient http;
    @Inject Router router;
    @Inject ConsoleCsrf csrf;


    private ConsoleCalls calls;

    @org.junit.jupiter.api.BeforeEach
    void calls() {
        calls = new ConsoleCalls(http);
    }

    @Test
    void noConsoleRouteAnswers5xxOrEchoesMarkupToHostileInput() {
        ConsoleCalls.User owner = calls.signUp("console-hostile", "Hostile");
        String appName = "hostile-" + UUID.randomUUID().toString().substring(0, 8);
        var created = calls.api(HttpRequest.POST("/api/v1/apps", Map.of("name", appName)), owner);
        assertEquals(HttpStatus.ACCEPTED, created.getStatus(), String.valueOf(created.body()));
        String appId = (String) created.body().get("id");
        var staging = calls.api(HttpRequest.POST("/api/v1/apps/" + appId + "/environments", Map.of("name", "staging-env", "type", "staging")), owner);
        assertEquals(HttpStatus.ACCEPTED, staging.getStatus(), String.valueOf(staging.body()));
        String envId = (String) staging.body().get("id");
        String token = csrf.forSession(owner.token());

        List<UriRouteInfo<?, ?>> routes = router.uriRoutes()
                .filter(r -> r.getDeclaringType().getPackageName().equals("io.cloudplane.api.console"))
                .filter(r -> !r.getUriMatchTemplate().toString().startsWith("/assets"))
                .toList();
        List<String> failures = new ArrayList<>();
        int requests = 0;
        int operations = 0;
        for (UriRouteInfo<?, ?> route : routes) {
            String template = route.getUriMatchTemplate().toString();
            List<String> paths = new ArrayList<>(List.of(ConsoleCalls.fill(template, appId, envId, null)));
            if (template.contains("{")) {
                paths.add(ConsoleCalls.fill(template, appId, envId, "not-a-uuid"));
                paths.add(ConsoleCalls.fill(template, appId, envId, "%F0%9F%98%80" + "a".repeat(300)));
            }
            if (route.getHttpMethod() == HttpMethod.POST) {
                operations++;
                for (String path : paths) {
                    for (String value : VALUES) {
                        String body = "csrf=" + token + "&" + FIELDS.stream().map(f -> f + "=" + encode(value)).collect(Collectors.joining("&"));
                        requests++;
                        check("POST " + template + " with " + abbreviated(value), calls.console(HttpRequest.POST(path, body)
                                .contentType(MediaType.APPLICATION_FORM_URLENCODED_TYPE), owner), failures);
                    }
                    for (String raw : List.of("csrf=" + token + "&%zz=%zz&&==&name", "csrf=" + token + "&" + "a=b&".repeat(500), "")) {
                        requests++;
                        check("POST " + template + " with a malformed body", calls.console(HttpRequest.POST(path, raw)
                                .contentType(MediaType.APPLICATION_FORM_URLENCODED_TYPE), owner), failures);
                    }
                }
            } else if (route.getHttpMethod() == HttpMethod.GET) {
                operations++;
                for (String path : paths) {
                    for (String value : VALUES) {
                        // a client cannot send a malformed escape in a URL: the query is always well encoded
                        String query = FIELDS.stream().map(f -> f + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8))
                                .collect(Collectors.joining("&"));
                        requests++;
                        check("GET " + template + " with " + abbreviated(value), calls.console(HttpRequest.GET(path + "?" + query), owner), failures);
                        requests++;
                        check("GET " + template + " (htmx) with " + abbreviated(value),
                                calls.console(HttpRequest.GET(path + "?" + query).header("HX-Request", "true"), owner), failures);
                    }
                }
            }
        }
        System.out.printf("console hostile input: %d routes, %d requests, %d answered 5xx or echoed markup%n", operations, requests,
                failures.size());
        assertTrue(operations >= 40, "the router lists the console's routes: " + operations);
        assertEquals(List.of(), failures);
    }

    private static boolean json(HttpResponse<String> response) {
        String type = response.getHeaders().get("Content-Type");
        return type != null && (type.startsWith("application/json") || type.startsWith("application/problem+json"))
                && "nosniff".equals(response.getHeaders().get("X-Content-Type-Options"));
    }

    private static void check(String what, HttpResponse<String> response, List<String> failures) {
        String body = response.body() == null ? "" : response.body();
        if (response.getStatus().getCode() >= 500) {
            failures.add(what + ": " + response.getStatus().getCode() + " " + abbreviated(body));
        } else if (body.contains(MARKER) && !json(response)) { // JSON (a conversion's problem+json) is not rendered as markup: nosniff
            failures.add(what + ": the marker came back unescaped as " + response.getContentType().map(Object::toString).orElse("no type")
                    + ": " + abbreviated(body.substring(Math.max(0, body.indexOf(MARKER) - 200))));
        }
    }


    private static String encode(String value) {
        return value.equals("%zz") ? value : URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String abbreviated(String value) {
        return value.length() > 60 ? value.substring(0, 60) + "…(" + value.length() + ")" : value;
    }



}
