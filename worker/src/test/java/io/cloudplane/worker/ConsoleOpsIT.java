package io.cloudplane.worker;

import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Backups, Metrics and Logs tabs in a real browser (the shared {@link ConsoleBrowser}): (a) schedule a
 * backup, back up now, see it verified, restore (after typing the environment's name) and watch the restore's
 * steps on the Overview; (b) open the metrics and see charts with points (read from uPlot's own data), then the
 * log's tail, paused and followed again with the keyboard. Set-up (accounts, apps, environments) goes through
 * the API. Screenshots in target/console-it.
 */
@ExtendWith(ConsoleBrowser.Journeys.class)
class ConsoleOpsIT {
    private static final Duration OPERATION = Duration.ofMinutes(3);

    @Test
    void scheduleABackupBackUpNowSeeItVerifiedAndRestore(ConsoleBrowser console) throws Exception {
        AllInOne cloudplane = console.cloudplane();
        String token = cloudplane.signUp("console-backups", "Grace", "Hopper");
        var app = cloudplane.call("POST", "/api/v1/apps", token, Map.of("name", "ledger"));
        assertEquals(202, app.status(), app.raw());
        String appId = app.get("id");
        var staging = cloudplane.call("POST", "/api/v1/apps/" + appId + "/environments", token, Map.of("name", "staging", "type", "staging"));
        assertEquals(202, staging.status(), staging.raw());
        String stagingId = staging.get("id");
        assertEquals("SUCCEEDED", cloudplane.awaitCreated(staging, token, OPERATION).get("status"));

        Page page = console.signedIn(token);
        String base = console.base();
        page.navigate(base + "/apps/" + appId + "?env=" + stagingId);
        page.getByRole(AriaRole.NAVIGATION, new Page.GetByRoleOptions().setName("staging"))
                .getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName("Backups")).click();
        assertThat(page).hasURL(base + "/apps/" + appId + "/environments/" + stagingId + "/backups");

        // the schedule: weekly on Saturday at 04:15 GMT, three backups kept
        page.getByLabel("Frequency").selectOption("weekly");
        page.getByLabel("Day (weekly only)").selectOption("saturday");
        page.getByLabel("Time (GMT)").fill("04:15");
        page.getByLabel("Backups kept").fill("3");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save the schedule")).click();
        assertThat(page.locator("#backups-notice")).containsText("The schedule is saved");
        assertThat(page.locator("#health-next")).containsText("04:15:00");
        assertEquals("weekly", cloudplane.call("GET", "/api/v1/apps/" + appId + "/environments/" + stagingId + "/backup-schedule",
                token, null).get("frequency"));

        // back up now: the list follows the backup until it is completed and verified
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Back up now")).click();
        assertThat(page.locator("#backups-notice")).containsText("The backup has started");
        Locator backup = page.locator("#backups-list tr.backup").first();
        assertThat(backup).hasAttribute("data-status", "COMPLETED", new LocatorAssertions.HasAttributeOptions().setTimeout(OPERATION.toMillis()));
        assertThat(backup).hasAttribute("data-verification", "PASSED");
        assertThat(backup).containsText("Passed");
        // each part downloads through the console's route, with the session's cookie
        String manifest = backup.getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName("the manifest")).getAttribute("href");
        APIResponse download = page.request().get(base + manifest);
        assertEquals(200, download.status(), download.text());
        assertTrue(download.headers().getOrDefault("content-disposition", "").startsWith("attachment"), download.headers().toString());
        assertTrue(download.text().contains("\"tables\""), download.text());
        page.reload();
        assertThat(page.locator("#health-last-good")).containsText("verification Passed");
        console.screenshot(page, "backups-1280");
        ConsoleBrowser.assertFits(page, 390, "the Backups tab");
        console.screenshot(page, "backups-390");
        page.setViewportSize(1280, 900);

        // restore: refused without the environment's name, then confirmed; the Overview follows its steps
        page.locator("#backups-list tr.backup").first().getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName("Restore…")).click();
        Locator confirm = page.getByLabel("Type the environment's name");
        confirm.fill("production");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Restore this backup")).click();
        assertThat(page.locator("#restore-error")).containsText("to confirm");
        page.getByLabel("Type the environment's name").fill("staging");
        page.getByLabel("Type the environment's name").press("Enter");
        page.waitForURL(Pattern.compile(Pattern.quote(base) + "/apps/" + appId + "\\?env=" + stagingId + "&operation=[0-9a-f-]{36}"));
        Locator operation = page.locator(".operation");
        assertThat(operation).hasAttribute("data-status", "SUCCEEDED", new LocatorAssertions.HasAttributeOptions().setTimeout(OPERATION.toMillis()));
        assertThat(operation.locator("h3")).containsText("Restore");
        assertTrue(operation.locator(".steps li").count() > 1, "the restore's steps are shown");
        console.screenshot(page, "restore-1280");
        console.assertNoPolicyViolation(page);
    }

    @Test
    @SuppressWarnings("unchecked")
    void openTheMetricsAndSeeAChartWithPointsThenFollowTheLog(ConsoleBrowser console) throws Exception {
        AllInOne cloudplane = console.cloudplane();
        String token = cloudplane.signUp("console-metrics", "Ada", "Metrics");
        String sandboxId = cloudplane.call("GET", "/api/v1/apps", token, null).get("sandbox.id");
        String envs = "/api/v1/apps/" + sandboxId + "/environments";
        String envId = await("the sandbox's environment").atMost(OPERATION).pollInterval(Duration.ofMillis(500)).until(() -> {
            List<Map<String, Object>> items = cloudplane.call("GET", envs, token, null).get("items");
            return items.isEmpty() || !"RUNNING".equals(items.get(0).get("status")) ? null : (String) items.get(0).get("id");
        }, id -> id != null);

        Page page = console.signedIn(token);
        String base = console.base();
        page.navigate(base + "/apps/" + sandboxId + "?env=" + envId);
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Metrics").setExact(true)).click();
        assertThat(page).hasURL(base + "/apps/" + sandboxId + "/environments/" + envId + "/metrics");
        assertThat(page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Last hour"))).hasAttribute("aria-current", "page");
        // The collector samples every 30 s and the page reads the series again every 15 s: wait for uPlot to hold a point.
        page.waitForFunction("() => window.cloudplaneCharts && cloudplaneCharts.memory"
                        + " && cloudplaneCharts.memory.data[1].some(v => v != null && v > 0)", null,
                new Page.WaitForFunctionOptions().setTimeout(90_000).setPollingInterval(500));
        Map<String, Object> drawn = (Map<String, Object>) page.evaluate("() => ({"
                + " memory: cloudplaneCharts.memory.data[1].filter(v => v != null).length,"
                + " times: cloudplaneCharts.memory.data[0].length,"
                + " canvas: document.querySelectorAll('#chart-memory canvas').length })");
        assertTrue(((Number) drawn.get("memory")).intValue() > 0 && ((Number) drawn.get("canvas")).intValue() == 1, drawn.toString());
        assertThat(page.locator("#chart-memory")).not().hasAttribute("data-points", "0");
        assertThat(page.locator("#chart-memory .metrics-caption")).containsText(Pattern.compile("Latest, at .* UTC: [0-9.]+ [kMG]B\\."));
        assertThat(page.locator("#chart-cpu .u-legend")).isVisible();
        console.screenshot(page, "metrics-1280");
        // another range: the 24 hours' preset, then back to the chart
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Last 24 hours")).click();
        page.waitForFunction("() => window.cloudplaneCharts && cloudplaneCharts.memory"
                + " && cloudplaneCharts.memory.data[1].some(v => v != null)", null, new Page.WaitForFunctionOptions().setTimeout(30_000));
        ConsoleBrowser.assertFits(page, 390, "the Metrics tab");
        console.screenshot(page, "metrics-390");
        page.setViewportSize(1280, 900);

        // the log: its tail, paused with the keyboard (nothing polls), then followed again
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Logs").setExact(true)).click();
        Locator live = page.locator("#logs-live");
        assertThat(live).hasAttribute("data-follow", "true");
        assertThat(live).hasAttribute("hx-trigger", "every 2s");
        Locator toggle = page.locator("#logs-toggle");
        toggle.focus();
        page.keyboard().press("Enter");
        assertThat(live).hasAttribute("data-follow", "false");
        assertThat(toggle).hasText("Follow");
        assertThat(live).not().hasAttribute("hx-trigger", Pattern.compile(".*"));
        assertEquals("logs-toggle", page.evaluate("() => document.activeElement && document.activeElement.id"), "the focus stays on the toggle");
        page.keyboard().press("Enter");
        assertThat(live).hasAttribute("data-follow", "true");
        assertThat(toggle).hasText("Pause");
        assertThat(page.locator("#logs-download")).hasAttribute("href", "/apps/" + sandboxId + "/environments/" + envId + "/logs/download");
        APIResponse log = page.request().get(base + page.locator("#logs-download").getAttribute("href"));
        assertEquals(200, log.status());
        assertTrue(log.headers().getOrDefault("content-disposition", "").startsWith("attachment"), log.headers().toString());
        assertTrue(log.text().contains("builtin-app-server"), log.text());
        assertThat(page.locator("#logs-text")).containsText("builtin-app-server");
        console.screenshot(page, "logs-1280");
        ConsoleBrowser.assertFits(page, 390, "the Logs tab");
        console.screenshot(page, "logs-390");
        console.assertNoPolicyViolation(page);
    }
}
