package io.cloudplane.api;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.LoadState;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API's documentation as a client generator and a person meet it, served by the running app:
 * the OpenAPI document passes Redocly's recommended rules (api/redocly.yaml) with no error and no
 * warning, and Swagger UI, opened in headless Chromium, lists every operation and shows no load
 * error. Both tools are installed by .ci/run (npm ci in api/, Debian's chromium); a missing one
 * fails the test with what to install, it never skips.
 */
@MicronautTest(transactional = false)
class ApiDocumentationTest {
    private static final Path REDOCLY = Path.of("node_modules", ".bin", "redocly").toAbsolutePath();
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Pattern OPERATION = Pattern.compile("(?m)^    (get|put|post|delete|patch|head|options):$");

    @Inject
    EmbeddedServer server;
    @Inject
    JsonMapper json;

    private String document() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(server.getURI().resolve("/openapi/cloudplane-1.yml")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theServedOpenApiDocumentPassesRedoclysRecommendedRulesWithoutAnError() throws Exception {
        assertTrue(Files.isExecutable(REDOCLY), "Redocly's CLI is not installed at " + REDOCLY
                + ": run `npm ci` in api/ (its package-lock.json pins @redocly/cli; .ci/run does this before Maven)");
        Path document = Files.createTempFile("cloudplane-openapi-", ".yml");
        try {
            Files.writeString(document, document());
            ProcessBuilder lint = new ProcessBuilder(REDOCLY.toString(), "lint", document.toString(), "--config", "redocly.yaml",
                    "--format=json").redirectError(ProcessBuilder.Redirect.DISCARD);
            // No usage telemetry nor update check: this machine reaches package registries only.
            lint.environment().put("REDOCLY_TELEMETRY", "off");
            lint.environment().put("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true");
            Process process = lint.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(2, TimeUnit.MINUTES), "redocly lint did not finish");
            Map<String, Object> report = json.readValue(output, Argument.mapOf(String.class, Object.class));
            Map<String, Object> totals = (Map<String, Object>) report.get("totals");
            List<Map<String, Object>> problems = (List<Map<String, Object>>) report.get("problems");
            String listed = String.join("\n", problems.stream().map(p -> p.get("severity") + " " + p.get("ruleId") + ": "
                    + p.get("message") + " at " + ((List<Map<String, Object>>) p.get("location")).get(0).get("pointer")).toList());
            assertEquals(0, ((Number) totals.get("errors")).intValue(), listed);
            assertEquals(0, ((Number) totals.get("warnings")).intValue(), listed);
            assertEquals(0, process.exitValue(), output);
        } finally {
            Files.deleteIfExists(document);
        }
    }

    @Test
    void swaggerUiInAHeadlessBrowserListsEveryOperationAndNoLoadError() throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM
                + ": `apt-get install -y chromium` (.ci/run does this before Maven)");
        int operations = (int) OPERATION.matcher(document()).results().count();
        assertTrue(operations > 40, "operations in the document: " + operations);
        // Debian's Chromium, not one Playwright downloads; no connections beyond this machine.
        try (Playwright playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
             Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                     .setExecutablePath(CHROMIUM).setHeadless(true)
                     .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                             "--disable-sync", "--no-first-run")))) {
            Page page = browser.newPage();
            page.navigate(server.getURI().resolve("/swagger-ui/").toString());
            page.waitForSelector(".opblock, .errors-wrapper", new Page.WaitForSelectorOptions().setTimeout(60_000));
            page.waitForLoadState(LoadState.NETWORKIDLE);
            page.screenshot(new Page.ScreenshotOptions().setPath(Path.of("target", "swagger-ui.png")).setFullPage(false));
            String text = page.locator("body").innerText();
            assertFalse(text.contains("Failed to load API definition"), text.substring(0, Math.min(500, text.length())));
            assertEquals(0, page.locator(".errors-wrapper").count(), "Swagger UI shows an error box: "
                    + page.locator(".errors-wrapper").allInnerTexts());
            assertEquals(operations, page.locator(".opblock").count(), "every operation of the document is listed");
            assertTrue(page.locator(".opblock-summary-path[data-path='/api/v1/apps']").count() >= 2, "GET and POST /api/v1/apps");
        }
    }
}
