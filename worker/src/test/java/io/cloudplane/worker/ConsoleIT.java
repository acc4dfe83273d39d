package io.cloudplane.worker;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.Cookie;
import com.microsoft.playwright.options.SameSiteAttribute;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console in a real browser (Debian's Chromium, driven by Playwright), against the packaged
 * all-in-one: sign up and see the sandbox; create an application and watch its development
 * environment reach RUNNING in the panel, updated in place by htmx. Along the way, the session
 * cookie's flags, the Content-Security-Policy (no violation in the console), a form without its
 * CSRF token refused, and an expired session in a partial request sent to the sign-in page.
 * Screenshots at 1280 and 390 px go to target/console-it.
 */
@ExtendWith(ConsoleBrowser.Journeys.class)
class ConsoleIT {
    private static final Path SHOTS = Path.of("target", "console-it");

    @Test
    void signUpSeeTheSandboxThenCreateAnAppAndWatchItReachRunning(ConsoleBrowser console) throws Exception {
        String base = console.base();
        BrowserContext context = console.newContext();
        Page page = console.watched(context.newPage());
        {
            {
                // signed out, the console is the sign-in page
                page.navigate(base + "/");
                assertThat(page).hasURL(base + "/sign-in");
                page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Sign up")).click();
                page.getByLabel("First name").fill("Ada");
                page.getByLabel("Last name").fill("Lovelace");
                page.getByLabel("Email").fill("ada-console@example.com");
                page.getByLabel("Password").fill("correct horse battery");
                page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign up")).click();

                // the apps list: the sandbox with its development environment, and the two other sections
                assertThat(page).hasURL(base + "/apps");
                Locator sandbox = page.locator("#sandbox .app");
                assertThat(sandbox).hasCount(1);
                assertThat(sandbox.locator("h3")).hasText("sandbox");
                assertThat(sandbox.locator(".envs")).containsText("development");
                assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Applications").setExact(true))).isVisible();
                assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Shared Applications"))).isVisible();
                page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("apps-1280.png")).setFullPage(true));

                Cookie session = context.cookies().stream().filter(c -> c.name.equals("cloudplane_console")).findFirst().orElseThrow();
                assertTrue(session.httpOnly, "the session cookie is HttpOnly");
                assertEquals(SameSiteAttribute.LAX, session.sameSite, "the session cookie is SameSite=Lax");
                Response apps = page.navigate(base + "/apps");
                String policy = apps.headers().get("content-security-policy");
                assertTrue(policy != null && policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"), "CSP: " + policy);

                // a form without its CSRF token is refused, with the session cookie
                HttpResponse<String> forged = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/apps"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Cookie", "cloudplane_console=" + session.value)
                        .POST(HttpRequest.BodyPublishers.ofString("name=forged")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(403, forged.statusCode(), forged.body());

                // create an application with the keyboard: its panel follows the provisioning in place
                Locator name = page.getByLabel("New application's name");
                name.fill("shop");
                name.press("Enter");
                page.waitForURL(Pattern.compile(Pattern.quote(base) + "/apps/[0-9a-f-]{36}\\?operation=[0-9a-f-]{36}"));
                page.evaluate("() => { window.sameDocument = true; }");
                Locator status = page.locator("#env-status");
                String first = status.getAttribute("data-status");
                assertThat(page.locator(".tabs")).containsText("development");
                assertThat(status).hasAttribute("data-status", "RUNNING", new LocatorAssertions.HasAttributeOptions().setTimeout(120_000));
                assertEquals(Boolean.TRUE, page.evaluate("() => window.sameDocument === true"),
                        "the status changed in place (htmx), not by reloading the page; first seen: " + first);
                assertThat(page.locator(".tabs a[aria-current=page] .status")).hasText("Running");
                Locator operation = page.locator(".operation");
                assertThat(operation).hasAttribute("data-status", "SUCCEEDED");
                assertTrue(operation.locator(".steps li").count() > 0, "the operation's steps are shown");
                assertThat(page.locator(".activity")).not().containsText("Nothing yet.");
                page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("panel-1280.png")).setFullPage(true));

                // readable at 390 px: nothing wider than the screen
                page.setViewportSize(390, 844);
                page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("panel-390.png")).setFullPage(true));
                assertTrue((Integer) page.evaluate("() => document.documentElement.scrollWidth") <= 390, "the panel fits 390 px");
                page.navigate(base + "/apps");
                assertThat(page.locator("#applications .app h3")).hasText("shop");
                assertThat(page.locator("#applications .app .envs")).containsText("Running");
                page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("apps-390.png")).setFullPage(true));
                assertTrue((Integer) page.evaluate("() => document.documentElement.scrollWidth") <= 390, "the apps list fits 390 px");

                // the session ends: a partial request of the panel leads the whole page to the sign-in form
                page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("shop")).first().click();
                String pollUrl = page.url().replace(base, "").replaceFirst("\\?.*", "");
                context.clearCookies();
                page.evaluate("url => htmx.ajax('GET', url, {target: '#overview', swap: 'outerHTML'})",
                        pollUrl + "/environments/" + page.locator(".tabs a[aria-current=page]").getAttribute("href")
                                .replaceFirst(".*env=", "") + "/overview");
                page.waitForURL(base + "/sign-in");
                assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Sign in"))).isVisible();

                console.assertNoPolicyViolation(page);
            }
        }
    }
}
