package io.cloudplane.worker;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The General tab and the apps list's actions in a real browser, against the shared all-in-one: the
 * issue's journey "add a domain and see its records" (the owner opens a staging environment's General
 * tab, adds a domain with the keyboard, and sees the TXT and CNAME records to create), and an app deleted
 * with its typed confirmation (a wrong name first, refused, deleting nothing). Set-up through the API.
 * Then the Access files tab with a short-lived password. Screenshots in target/console-it (general-*, files-*, delete-*).
 */
@ExtendWith(ConsoleBrowser.Journeys.class)
class ConsoleGeneralIT {

    @Test
    void addADomainAndSeeItsRecords(ConsoleBrowser console) throws Exception {
        AllInOne cloudplane = console.cloudplane();
        String token = cloudplane.signUp("console-general", "Grace", "Hopper");
        String appName = "dom-" + UUID.randomUUID().toString().substring(0, 8);
        AllInOne.Response app = cloudplane.call("POST", "/api/v1/apps", token, Map.of("name", appName));
        assertEquals(202, app.status(), app.raw());
        String appId = app.get("id");
        AllInOne.Response staging = cloudplane.call("POST", "/api/v1/apps/" + appId + "/environments", token,
                Map.of("name", "staging", "type", "staging"));
        assertEquals(202, staging.status(), staging.raw());
        String stagingId = staging.get("id");

        Page page = console.signedIn(token);
        page.navigate(console.base() + "/apps/" + appId + "?env=" + stagingId);
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("General").setExact(true)).click();
        assertThat(page).hasURL(console.base() + "/apps/" + appId + "/environments/" + stagingId + "/general");
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Custom domains"))).isVisible();

        String host = "shop-" + UUID.randomUUID().toString().substring(0, 8) + ".example.com";
        Locator hostname = page.getByLabel("Add a domain");
        hostname.fill(host);
        hostname.press("Enter");
        page.waitForURL(Pattern.compile(".*/general#domain-[0-9a-f-]{36}"));
        Locator domain = page.locator(".general-domain[data-hostname='" + host + "']");
        assertThat(domain.locator("h3")).containsText(host);
        assertThat(domain.locator("[data-status]")).hasAttribute("data-status", Pattern.compile("PENDING_VERIFICATION|VERIFIED|FAILED"));
        Locator txt = domain.locator("tr[data-type=TXT] td");
        assertThat(txt.nth(1)).hasText("_cloudplane-challenge." + host, new LocatorAssertions.HasTextOptions().setUseInnerText(true));
        assertThat(txt.nth(2)).hasText(Pattern.compile("cp-[0-9a-f]+"));
        Locator cname = domain.locator("tr[data-type=CNAME] td");
        assertThat(cname.nth(1)).hasText(host);
        assertThat(cname.nth(2)).not().isEmpty();
        console.screenshot(page, "general-domain-1280");
        ConsoleBrowser.assertFits(page, 390, "the General tab");
        console.screenshot(page, "general-domain-390");

        // a refusal is shown in the API's words, with what was typed
        page.setViewportSize(1280, 900);
        page.getByLabel("Add a domain").fill(host);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add the domain")).click();
        assertThat(page.locator("#hostname-error")).containsText(host);
        assertThat(page.getByLabel("Add a domain")).hasAttribute("aria-invalid", "true");

        // the Access files tab beside it: the SFTP access, and a short-lived password shown once
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Access files")).click();
        assertThat(page.locator("#sftp-fingerprint")).containsText("SHA256:");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create a short-lived password")).click();
        assertThat(page.locator("#sftp-password")).hasText(Pattern.compile("[A-Za-z0-9]{32}"));
        console.screenshot(page, "files-password-1280");
        ConsoleBrowser.assertFits(page, 390, "the Access files tab");
        console.screenshot(page, "files-password-390");
        console.assertNoPolicyViolation(page);
    }

    @Test
    void deleteAnAppWithItsTypedConfirmation(ConsoleBrowser console) throws Exception {
        AllInOne cloudplane = console.cloudplane();
        String token = cloudplane.signUp("console-delete", "Alan", "Turing");
        String appName = "del-" + UUID.randomUUID().toString().substring(0, 8);
        AllInOne.Response app = cloudplane.call("POST", "/api/v1/apps", token, Map.of("name", appName));
        assertEquals(202, app.status(), app.raw());
        String appId = app.get("id");
        cloudplane.awaitCreated(app, token, Duration.ofMinutes(2));

        Page page = console.signedIn(token);
        page.navigate(console.base() + "/apps");
        Locator card = page.locator(".app[data-app-id='" + appId + "']");
        card.locator("summary").click();
        console.screenshot(page, "delete-card");
        Locator confirm = card.getByLabel("Type " + appName + " to delete it");
        confirm.fill(appName + "-not");
        confirm.press("Enter");
        assertThat(page.locator("[role=alert]")).containsText("nothing was deleted");
        assertEquals(200, cloudplane.call("GET", "/api/v1/apps/" + appId, token, null).status(), "the app is still there");
        console.screenshot(page, "delete-refused");

        page.getByLabel("Type " + appName + " to delete it").fill(appName);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Delete " + appName)).click();
        page.waitForURL(Pattern.compile(".*/apps/operations/[0-9a-f-]{36}"));
        Locator progress = page.locator("#progress");
        assertThat(progress).hasAttribute("data-status", "SUCCEEDED", new LocatorAssertions.HasAttributeOptions().setTimeout(120_000));
        assertThat(progress.locator(".steps li").first()).isVisible();
        console.screenshot(page, "delete-done");
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Back to your apps")).click();
        assertThat(page.locator(".app[data-app-id='" + appId + "']")).hasCount(0);
        assertEquals(404, cloudplane.call("GET", "/api/v1/apps/" + appId, token, null).status(), "the app is gone");
        console.assertNoPolicyViolation(page);
    }
}
