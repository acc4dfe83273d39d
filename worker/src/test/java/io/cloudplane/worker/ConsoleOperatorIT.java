package io.cloudplane.worker;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator's page in the browser: someone signed in who is no operator gets 404; a wrong bootstrap token
 * is refused on the form; the right one (the shared all-in-one has {@code CLOUDPLANE_CONSOLE_OPERATOR_TOKEN}),
 * entered once, shows the page of running and failed operations, which then knows the Temporal UI
 * ({@code CLOUDPLANE_TEMPORAL_UI_URL}). The rows themselves (running and failed operations, their steps and
 * history, the links) are checked by the api module's ConsoleGeneralTest, where operations stay PENDING;
 * here a provisioning is caught while it runs only when the page is faster than it, so its link is checked
 * only then.
 */
@ExtendWith(ConsoleBrowser.Journeys.class)
class ConsoleOperatorIT {

    @Test
    void anOperatorEntersTheTokenOnceAndSeesTheOperationsAcrossCloudplane(ConsoleBrowser console) throws Exception {
        String base = console.base();
        String token = console.cloudplane().signUp("operator", "Olga", "Operator");
        Page page = console.signedIn(token);
        Response refused = page.navigate(base + "/operator");
        assertEquals(404, refused.status(), "someone who is no operator does not see the page");

        page.navigate(base + "/operator/sign-in");
        page.getByLabel("Operator token").fill("not-the-token-" + "x".repeat(40));
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in as operator")).click();
        assertThat(page.locator("#token-error")).isVisible();
        page.getByLabel("Operator token").fill(ConsoleBrowser.OPERATOR_TOKEN);
        page.getByLabel("Operator token").press("Enter");
        assertThat(page).hasURL(base + "/operator");
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Operations across Cloudplane"))).isVisible();
        assertTrue(!page.content().contains("Set CLOUDPLANE_TEMPORAL_UI_URL"), "the Temporal UI is configured, so the page does not ask for it");

        // an operation started now is listed while it runs, its workflow ID linked to the Temporal UI
        AllInOne.Response created = console.cloudplane().call("POST", "/api/v1/apps", token, java.util.Map.of("name", "watched"));
        assertEquals(202, created.status(), created.raw());
        String workflowId = "env-provision/" + created.<String>get("operation.envId");
        page.reload();
        boolean caught = "RUNNING".equals(console.cloudplane().call("GET", "/api/v1/operations/" + created.<String>get("operation.id"), token,
                null).<String>get("status")) && page.content().contains(workflowId);
        System.out.println("operator journey: the provisioning was " + (caught ? "" : "not ") + "caught while it ran");
        if (caught) {
            // the ID as one path segment, as the Temporal UI's own links have it (its slash encoded)
            // and its run's history once the worker has recorded the run ID
            assertThat(page.locator("a.operator-workflow", new Page.LocatorOptions().setHasText(workflowId))).hasAttribute("href",
                    // (escaped by hand: Playwright hands the pattern to the browser's RegExp, which knows no \Q…\E)
                    java.util.regex.Pattern.compile("^" + (ConsoleBrowser.TEMPORAL_UI + "/namespaces/default/workflows/"
                            + workflowId.replace("/", "%2F")).replaceAll("[.*+?^${}()|\\[\\]\\\\]", "\\\\$0") + "(/[0-9a-f-]+/history)?$"));
        }
        console.cloudplane().awaitCreated(created, token, Duration.ofSeconds(120));
        console.screenshot(page, "operator-1280");
        ConsoleBrowser.assertFits(page, 390, "the operator's page");
        console.screenshot(page, "operator-390");
        console.assertNoPolicyViolation(page);
    }
}
