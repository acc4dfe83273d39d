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

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules every console route follows, checked for each route the router has in package
 * {@code api.console}, so that a new page or form is covered the day it is added:
 * <ul>
 *   <li>a POST without its CSRF token is refused with 403 (with a valid session), and changes nothing;</li>
 *   <li>a page of an app ({@code /apps/{appId}/…}) answers a signed-in stranger 404 and never shows the app;</li>
 *   <li>a request htmx makes without a session gets 401 and {@code HX-Redirect: /sign-in};</li>
 *   <li>the operator's pages answer an ordinary user 403 or 404.</li>
 * </ul>
 */
@MicronautTest(transactional = false)
class ConsoleRoutesTest {
    @Inject @Client("/") HttpClient http;
    @Inject Router router;


    private ConsoleCalls calls;

    @org.junit.jupiter.api.BeforeEach
    void calls() {
        calls = new ConsoleCalls(http);
    }

    @Test
    void everyConsoleRouteKeepsTheConsolesRules() {
        ConsoleCalls.User owner = calls.signUp("console-routes", "Routes");
        ConsoleCalls.User stranger = calls.signUp("console-routes", "Routes");
        String appName = "routes-" + UUID.randomUUID().toString().substring(0, 8);
        var created = calls.api(HttpRequest.POST("/api/v1/apps", Map.of("name", appName)), owner);
        assertEquals(HttpStatus.ACCEPTED, created.getStatus(), String.valueOf(created.body()));
        String appId = (String) created.body().get("id");
        String envId = (String) ((Map<?, ?>) created.body().get("operation")).get("envId");
        String before = state(owner, appId, envId);

        List<UriRouteInfo<?, ?>> routes = router.uriRoutes()
                .filter(r -> r.getDeclaringType().getPackageName().equals("io.cloudplane.api.console"))
                .toList();
        List<String> checked = new ArrayList<>();
        for (UriRouteInfo<?, ?> route : routes) {
            String template = route.getUriMatchTemplate().toString();
            if (template.startsWith("/assets")) {
                continue;
            }
            String path = ConsoleCalls.fill(template, appId, envId, null);
            if (route.getHttpMethod() == HttpMethod.POST) {
                HttpResponse<String> forged = calls.console(HttpRequest.POST(path, "name=forged&confirm=" + appName)
                        .contentType(MediaType.APPLICATION_FORM_URLENCODED_TYPE), owner);
                assertEquals(HttpStatus.FORBIDDEN, forged.getStatus(), "POST " + template + " without its CSRF token: " + forged.body());
                checked.add("POST " + template);
            } else if (route.getHttpMethod() == HttpMethod.GET && template.contains("{appId}")) {
                HttpResponse<String> seen = calls.console(HttpRequest.GET(path), stranger);
                assertEquals(HttpStatus.NOT_FOUND, seen.getStatus(), "GET " + template + " by a stranger");
                assertFalse(String.valueOf(seen.body()).contains(appName), "GET " + template + " shows a stranger the app's name");
                HttpResponse<String> partial = calls.console(HttpRequest.GET(path).header("HX-Request", "true"), null);
                assertEquals(HttpStatus.UNAUTHORIZED, partial.getStatus(), "GET " + template + " by htmx without a session");
                assertEquals("/sign-in", partial.header("HX-Redirect"), "GET " + template + " by htmx without a session");
                checked.add("GET " + template);
            } else if (route.getHttpMethod() == HttpMethod.GET && template.startsWith("/operator")) {
                HttpResponse<String> seen = calls.console(HttpRequest.GET(path), owner);
                assertTrue(seen.getStatus() == HttpStatus.FORBIDDEN || seen.getStatus() == HttpStatus.NOT_FOUND,
                        "GET " + template + " by someone who is no operator: " + seen.getStatus());
                checked.add("GET " + template);
            }
        }
        assertTrue(checked.contains("POST /apps") && checked.contains("POST /sign-in")
                        && checked.contains("GET /apps/{appId}/environments/{envId}/overview"),
                "the router lists the console's routes: " + checked);
        assertEquals(before, state(owner, appId, envId), "the refused forms changed nothing");
    }

    /** What a forged form could change: the owner's apps and SSH keys; the app's environments, releases and promotions; the environment's members, domains, backups and schedule. */
    private String state(ConsoleCalls.User owner, String appId, String envId) {
        String env = "/api/v1/apps/" + appId + "/environments/" + envId;
        return String.join("\n", List.of("/api/v1/apps", "/api/v1/apps/" + appId + "/environments", "/api/v1/apps/" + appId + "/releases",
                        "/api/v1/apps/" + appId + "/promotions", env + "/members", env + "/domains", env + "/backups", env + "/backup-schedule",
                        env + "/sftp", "/api/v1/account/ssh-keys").stream()
                .map(path -> {
                    var answer = calls.api(HttpRequest.GET(path), owner);
                    return path + " " + answer.getStatus() + " " + answer.body();
                })
                .toList());
    }




}
