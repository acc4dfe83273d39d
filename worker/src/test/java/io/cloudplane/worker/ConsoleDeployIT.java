package io.cloudplane.worker;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.assertions.PageAssertions;
import com.microsoft.playwright.options.AriaRole;
import io.cloudplane.infra.code.CodeArchives;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two of issue 17's journeys in the console, in Chromium against the packaged all-in-one (the shared
 * {@link ConsoleBrowser}): (a) code uploaded through the API, then in the browser a release created
 * (the Overview follows its operation), promoted, approved, and production serves the uploaded page
 * through the gateway; (b) a developer invited from the Team tab, the invitation accepted in a second
 * browser context (signing up from the invitation's page, which comes back to it), and the app under
 * Shared Applications. Screenshots go to target/console-it.
 */
@ExtendWith(ConsoleBrowser.Journeys.class)
class ConsoleDeployIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void uploadCodeThroughTheApiCreateAReleasePromoteItApproveItAndProductionServesIt(ConsoleBrowser console) throws Exception {
        AllInOne cloudplane = console.cloudplane();
        String token = cloudplane.signUp("deploy", "Ada", "Lovelace");
        String name = "deploy-" + UUID.randomUUID().toString().substring(0, 6);
        var app = cloudplane.call("POST", "/api/v1/apps", token, Map.of("name", name));
        assertEquals(202, app.status(), app.raw());
        String appId = app.get("id");
        String devId = app.get("operation.envId");
        succeeded(cloudplane, app, token);
        var staging = cloudplane.call("POST", "/api/v1/apps/" + appId + "/environments", token, Map.of("name", "staging", "type", "staging"));
        var production = cloudplane.call("POST", "/api/v1/apps/" + appId + "/environments", token,
                Map.of("name", "production", "type", "production"));
        assertEquals(202, staging.status(), staging.raw());
        assertEquals(202, production.status(), production.raw());
        succeeded(cloudplane, staging, token);
        succeeded(cloudplane, production, token);
        String productionId = production.get("id");
        String marker = "served from the console's release " + UUID.randomUUID();
        var upload = HTTP.send(HttpRequest.newBuilder(URI.create(cloudplane.baseUrl() + "/api/v1/apps/" + appId + "/environments/" + devId + "/code"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/gzip")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(site("<h1>" + marker + "</h1>"))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, upload.statusCode(), upload.body());

        Page page = console.signedIn(token);
        page.navigate(console.base() + "/apps/" + appId + "/environments/" + devId + "/deploy");
        assertThat(page.locator(".concerns a[aria-current=page]")).hasText("Deploy");
        page.getByLabel("New release's name").fill("v1");
        page.getByLabel("Description").fill("the first release, from the console");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create release")).click();

        // the Overview follows the release's operation, step by step, until it succeeds
        page.waitForURL(Pattern.compile(".*/apps/" + appId + "\\?env=" + devId + "&operation=[0-9a-f-]{36}"));
        Locator operation = page.locator(".operation");
        assertThat(operation).hasAttribute("data-status", "SUCCEEDED", new LocatorAssertions.HasAttributeOptions().setTimeout(TIMEOUT.toMillis()));
        assertTrue(operation.locator(".steps li").count() > 0, "the release's steps are shown");
        console.screenshot(page, "deploy-release-created");

        // promote it: staging first, followed live, then the owner's approval
        page.locator(".concerns a[data-concern=deploy]").click();
        Locator release = page.locator("tr[data-release=v1]");
        assertThat(release).hasAttribute("data-status", "READY");
        release.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName(Pattern.compile("^Promote"))).click();
        Locator promotion = page.locator("#promotions .promotion").first();
        assertThat(promotion).hasAttribute("data-status", "AWAITING_APPROVAL",
                new LocatorAssertions.HasAttributeOptions().setTimeout(TIMEOUT.toMillis()));
        assertThat(promotion.locator(".steps li").first()).containsText("Succeeded");
        console.screenshot(page, "deploy-awaiting-approval");
        promotion.getByLabel("Comment").fill("ship it");
        promotion.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Approve")).click();
        promotion = page.locator("#promotions .promotion").first();
        assertThat(promotion).hasAttribute("data-status", "SUCCEEDED", new LocatorAssertions.HasAttributeOptions().setTimeout(TIMEOUT.toMillis()));
        assertThat(promotion).containsText("ship it");
        console.screenshot(page, "deploy-promoted");

        // production serves the uploaded page, through the gateway
        String preview = cloudplane.call("GET", "/api/v1/apps/" + appId + "/environments/" + productionId, token, null).get("urls.preview");
        var served = GatewayClient.get(preview, token);
        assertEquals(200, served.status(), served.body());
        assertTrue(served.body().contains(marker), "production serves the release: " + served.body());

        // the tab's history and release rows read well at 390 px
        page.navigate(console.base() + "/apps/" + appId + "/environments/" + productionId + "/deploy");
        assertThat(page.locator("#history tr[data-status=SUCCEEDED]")).hasCount(1);
        ConsoleBrowser.assertFits(page, 390, "the Deploy tab");
        console.screenshot(page, "deploy-production-390");
        console.assertNoPolicyViolation(page);
    }

    @Test
    void inviteADeveloperAcceptAsThemInASecondBrowserContextAndSeeTheAppUnderShared(ConsoleBrowser console) throws Exception {
        AllInOne cloudplane = console.cloudplane();
        String token = cloudplane.signUp("team", "Ada", "Lovelace");
        String name = "team-" + UUID.randomUUID().toString().substring(0, 6);
        var app = cloudplane.call("POST", "/api/v1/apps", token, Map.of("name", name));
        assertEquals(202, app.status(), app.raw());
        succeeded(cloudplane, app, token);
        String appId = app.get("id");
        String devId = app.get("operation.envId");
        String email = "grace-" + UUID.randomUUID() + "@example.com";

        // the owner invites from the Team tab
        Page owner = console.signedIn(token);
        owner.navigate(console.base() + "/apps/" + appId + "/environments/" + devId + "/team");
        owner.getByLabel("First name").fill("Grace");
        owner.getByLabel("Last name").fill("Hopper");
        owner.getByLabel("Email").fill(email);
        owner.getByLabel("Profile", new Page.GetByLabelOptions().setExact(true)).selectOption("user");
        owner.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Send the invitation")).click();
        assertThat(owner.getByRole(AriaRole.STATUS)).containsText("The invitation is sent");
        assertThat(owner.locator("#invitations tr[data-invitation='" + email + "']")).hasCount(1);
        console.screenshot(owner, "team-invited");

        // the invitation's email carries the link; the invited person opens it in their own browser
        Path outbox = cloudplane.dataDir().resolve("outbox");
        String invitation = await("the invitation's email").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> InvitationIT.tokenMailedTo(outbox, email), Optional::isPresent).orElseThrow();
        BrowserContext theirs = console.newContext();
        Page grace = console.watched(theirs.newPage());
        grace.navigate(console.base() + "/invitations/" + invitation);
        assertThat(grace.locator("#invitation-app")).hasText(name);
        assertThat(grace.locator("main")).containsText("Ada Lovelace");
        console.screenshot(grace, "invitation-signed-out");
        grace.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Sign up to accept")).click();
        grace.getByLabel("First name").fill("Grace");
        grace.getByLabel("Last name").fill("Hopper");
        grace.getByLabel("Email").fill(email);
        grace.getByLabel("Password").fill("correct horse battery");
        grace.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign up")).click();

        // back on the invitation, signed in: accept, and the app is under Shared Applications
        PageAssertions.HasURLOptions wait = new PageAssertions.HasURLOptions().setTimeout(30_000);
        assertThat(grace).hasURL(console.base() + "/invitations/" + invitation, wait);
        grace.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Accept the invitation")).click();
        assertThat(grace).hasURL(console.base() + "/apps#shared", wait);
        assertThat(grace.locator("#shared .app h3")).hasText(name);
        console.screenshot(grace, "invitation-accepted-shared");
        ConsoleBrowser.assertFits(grace, 390, "the apps list with a shared app");

        // the owner sees the new developer in the team
        owner.navigate(console.base() + "/apps/" + appId + "/environments/" + devId + "/team");
        assertThat(owner.locator("#members tr[data-member='" + email + "']")).containsText("Developer");
        assertThat(owner.locator("#invitations")).containsText("No pending invitation.");
        ConsoleBrowser.assertFits(owner, 390, "the Team tab");
        console.screenshot(owner, "team-members-390");
        console.assertNoPolicyViolation(owner);
        console.assertNoPolicyViolation(grace);
    }

    private static void succeeded(AllInOne cloudplane, AllInOne.Response created, String token) throws Exception {
        var op = cloudplane.awaitCreated(created, token, TIMEOUT);
        assertEquals("SUCCEEDED", op.get("status"), op.raw());
    }

    /** A site as the canonical tar.gz of a folder with its index.html. */
    private static byte[] site(String index) throws IOException {
        Path dir = Files.createTempDirectory("console-site-");
        Files.writeString(dir.resolve("index.html"), index);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodeArchives.writeTarGz(dir, out);
        return out.toByteArray();
    }
}
