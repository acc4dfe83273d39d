package io.cloudplane.worker;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.Cookie;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One packaged all-in-one and one headless Debian Chromium (driven by Playwright, its own browser
 * download off) shared by every console journey of the test run: the first journey starts them, the
 * end of the run closes them. A journey takes it as a parameter ({@code @ExtendWith(ConsoleBrowser.Journeys.class)})
 * and opens its own browser context (its own cookies), so journeys do not see each other's sessions;
 * each signs up its own users.
 */
public final class ConsoleBrowser implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path SHOTS = Path.of("target", "console-it");
    /** The shared all-in-one's {@code CLOUDPLANE_CONSOLE_OPERATOR_TOKEN}. */
    public static final String OPERATOR_TOKEN = "operator-token-of-the-console-journeys-0123456789";
    /** The shared all-in-one's {@code CLOUDPLANE_TEMPORAL_UI_URL} (nothing listens there: only the links are checked). */
    public static final String TEMPORAL_UI = "http://127.0.0.1:9/temporal-ui";
    private final AllInOne cloudplane;
    private final Playwright playwright;
    private final Browser browser;
    private final List<BrowserContext> contexts = new ArrayList<>();
    private final Map<Page, List<String>> violationsByPage = new java.util.concurrent.ConcurrentHashMap<>();

    private ConsoleBrowser() throws IOException, InterruptedException {
        assertTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM
                + ": `apt-get install -y chromium` (.ci/test does this before Maven)");
        Files.createDirectories(SHOTS);
        Path dataDir = Files.createTempDirectory(Path.of("target"), "console-").toAbsolutePath();
        // a sample every 5 s (instead of 30) so that the Metrics journey sees points soon; an operator token
        // and a Temporal UI for the operator's page
        cloudplane = new AllInOne(dataDir, Map.of("CLOUDPLANE_METRICS_INTERVAL", "5s", "CLOUDPLANE_CONSOLE_OPERATOR_TOKEN", OPERATOR_TOKEN,
                "CLOUDPLANE_TEMPORAL_UI_URL", TEMPORAL_UI));
        cloudplane.start();
        playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(CHROMIUM).setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run")));
    }

    /** The all-in-one the console is served by. */
    public AllInOne cloudplane() {
        return cloudplane;
    }

    public String base() {
        return cloudplane.baseUrl();
    }

    /** A new browser context (its own cookies) with a 1280 × 900 window. */
    public BrowserContext newContext() {
        BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900));
        contexts.add(context);
        return context;
    }

    /** A new page in a new context, signed in with {@code token} (a session token of the API, as the console's cookie holds). */
    public Page signedIn(String token) {
        BrowserContext context = newContext();
        context.addCookies(List.of(new Cookie(io.cloudplane.api.console.ConsoleSession.COOKIE, token).setUrl(base()).setHttpOnly(true)));
        return watched(context.newPage());
    }

    /** A page whose Content-Security-Policy violations are kept, for {@link #assertNoPolicyViolation}. */
    public Page watched(Page page) {
        List<String> violations = new CopyOnWriteArrayList<>();
        page.onConsoleMessage(message -> {
            if (message.text().contains("Content Security Policy")) {
                violations.add(message.text());
            }
        });
        violationsByPage.put(page, violations);
        return page;
    }

    public void assertNoPolicyViolation(Page page) {
        assertEquals(List.of(), violationsByPage.getOrDefault(page, List.of()), "no Content-Security-Policy violation in the console");
    }

    /**
     * Saves a full-page screenshot as target/console-it/{@code name}.png; and, since every journey takes one of
     * each page it shows, checks there that every control of the page has a label ({@link #assertLabelled}).
     */
    public void screenshot(Page page, String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve(name + ".png")).setFullPage(true));
        assertLabelled(page, name);
    }

    /**
     * Every form control of the page (inputs but hidden ones, selects, text areas) has a label, or an
     * aria-label(ledby), and every button has words: what a screen reader and the keyboard user need.
     */
    public static void assertLabelled(Page page, String what) {
        Object unlabelled = page.evaluate("() => Array.from(document.querySelectorAll("
                + "'input:not([type=hidden]), select, textarea, button'))"
                + ".filter(e => e.tagName === 'BUTTON'"
                + " ? !(e.textContent.trim() || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby'))"
                + " : !((e.labels && e.labels.length) || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby')))"
                + ".map(e => e.outerHTML.slice(0, 160))");
        assertEquals(List.of(), unlabelled, what + ": every control has a label");
    }

    /** Whether the page fits {@code width} pixels (nothing wider than the screen). */
    public static void assertFits(Page page, int width, String what) {
        page.setViewportSize(width, 844);
        assertTrue((Integer) page.evaluate("() => document.documentElement.scrollWidth") <= width, what + " fits " + width + " px");
    }

    @Override
    public void close() throws Exception {
        for (BrowserContext context : contexts) {
            try {
                context.close();
            } catch (RuntimeException ignored) {
                // the browser may have gone already
            }
        }
        try {
            browser.close();
            playwright.close();
        } finally {
            cloudplane.close();
        }
    }

    /** Gives a journey the shared {@link ConsoleBrowser}, started at the first need and closed at the end of the run. */
    public static final class Journeys implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
            return parameter.getParameter().getType() == ConsoleBrowser.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
            return extension.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(ConsoleBrowser.class, key -> {
                try {
                    return new ConsoleBrowser();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }, ConsoleBrowser.class);
        }
    }
}
