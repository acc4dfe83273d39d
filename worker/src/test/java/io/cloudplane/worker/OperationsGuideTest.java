package io.cloudplane.worker;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/operations.md cannot drift from the code silently: every {@code CLOUDPLANE_*} variable it names
 * is a setting of the README's configuration reference (or one of the few variables Cloudplane gives
 * other programs, each found in the sources), every {@code infra/k8s/...} and {@code docs/...} path it
 * names exists, and every link in it leads somewhere: a file beside it, or one of its own headings.
 */
class OperationsGuideTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path GUIDE = ROOT.resolve("docs/operations.md");

    private static final Pattern VARIABLE = Pattern.compile("CLOUDPLANE_[A-Z0-9_]*");
    private static final Pattern REPO_PATH = Pattern.compile("(?<![\\w./-])(?:infra/k8s|docs)/[\\w./-]*[\\w-]");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6} +(.+?) *$");

    /**
     * Variables that are not settings of Cloudplane but that the guide may name, with who reads them.
     * Each must occur in the sources, so that this list cannot keep a name the code no longer has.
     */
    private static final Map<String, String> NOT_SETTINGS = Map.of(
            "CLOUDPLANE_ENV_ID", "given to every environment's server",
            "CLOUDPLANE_SERVER_VERSION", "given to every environment's server",
            "CLOUDPLANE_GATEWAY_KEY", "given to every local server (infra.gateway.GatewayKeys)",
            "CLOUDPLANE_API_URL", "read by the cloudplane CLI",
            "CLOUDPLANE_API_KEY", "read by the cloudplane CLI");

    @Test
    void theGuideNamesOnlyDocumentedSettingsExistingFilesAndLiveLinks() {
        String guide = read(GUIDE);
        assertEquals(List.of(), problems(guide, configurationReferenceVariables(), GUIDE.getParent(), ROOT),
                "docs/operations.md names a setting that README.md's configuration reference lacks (add it there, or, if it is "
                        + "not a setting but a variable Cloudplane gives another program, to NOT_SETTINGS), a file that is not "
                        + "there, or a link that leads nowhere");
    }

    @Test
    void theScanSeesWhatTheGuideNames() {
        String guide = read(GUIDE);
        Set<String> variables = variables(guide);
        assertTrue(variables.containsAll(Set.of("CLOUDPLANE_API_ENABLED", "CLOUDPLANE_WORKER_ENABLED",
                "CLOUDPLANE_WORKER_MAX_CONCURRENT_ACTIVITIES", "CLOUDPLANE_SECRET_KEY")), "variables found: " + variables);
        assertTrue(paths(guide).containsAll(Set.of("infra/k8s/cloudplane.yaml", "infra/k8s/Dockerfile")), "paths found: " + paths(guide));
        assertTrue(configurationReferenceVariables().size() > 100, "the reference's variables were found");
    }

    /** The checks find what is wrong, so a guide that passes them names nothing that is missing. */
    @Test
    void theChecksCatchAnUndocumentedSettingAMissingFileAndADeadLink() {
        Set<String> reference = Set.of("CLOUDPLANE_API_ENABLED", "CLOUDPLANE_RATE_LIMIT_LOGIN_WINDOW");
        String text = """
                # Guide
                ## The roles
                Set `CLOUDPLANE_API_ENABLED=false`, never `CLOUDPLANE_API_ENABLE`; the `CLOUDPLANE_RATE_LIMIT_*` and
                `CLOUDPLANE_MAIL_*` settings. Servers get `CLOUDPLANE_ENV_ID`. Apply infra/k8s/cloudplane.yaml and
                infra/k8s/missing.yaml, read docs/architecture.md (see https://example.com/docs/elsewhere.md).
                Links: [roles](#the-roles), [gone](#no-such-heading), [arch](architecture.md), [nothing](nothing.md),
                [outside](https://example.com/x.md).
                """;
        assertEquals(List.of(
                        "setting not in README.md's configuration reference: CLOUDPLANE_API_ENABLE",
                        "settings not in README.md's configuration reference: CLOUDPLANE_MAIL_*",
                        "no such file: infra/k8s/missing.yaml",
                        "link to no heading of the guide: #no-such-heading",
                        "link to no file: nothing.md"),
                problems(text, reference, GUIDE.getParent(), ROOT));
    }

    @Test
    void anchorsAreGitHubs() {
        assertEquals("s3-cognito-and-ses", anchor("S3, Cognito and SES"));
        assertEquals("finding-a-workflow-in-the-temporal-ui", anchor("Finding a workflow in the Temporal UI"));
        assertEquals("the-api-and-worker-roles", anchor("The API and worker roles"));
    }

    static List<String> problems(String guide, Set<String> reference, Path guideFolder, Path root) {
        List<String> problems = new ArrayList<>();
        Set<String> sources = null;
        for (String name : variables(guide)) {
            if (name.endsWith("_")) {
                if (reference.stream().noneMatch(r -> r.startsWith(name))) {
                    problems.add("settings not in README.md's configuration reference: " + name + "*");
                }
            } else if (NOT_SETTINGS.containsKey(name)) {
                if (sources == null) {
                    sources = mainSources(root);
                }
                if (!sources.contains(name)) {
                    problems.add("named as a variable Cloudplane gives others, but no source names it: " + name);
                }
            } else if (!reference.contains(name)) {
                problems.add("setting not in README.md's configuration reference: " + name);
            }
        }
        for (String path : paths(guide)) {
            if (!Files.exists(root.resolve(path))) {
                problems.add("no such file: " + path);
            }
        }
        Set<String> anchors = new TreeSet<>();
        Matcher heading = HEADING.matcher(guide);
        while (heading.find()) {
            anchors.add(anchor(heading.group(1)));
        }
        Matcher link = LINK.matcher(guide);
        while (link.find()) {
            String target = link.group(1);
            if (target.startsWith("#")) {
                if (!anchors.contains(target.substring(1))) {
                    problems.add("link to no heading of the guide: " + target);
                }
            } else if (!target.matches("[a-z][a-z0-9+.-]*:.*")) {
                String file = target.replaceFirst("#.*", "");
                if (!Files.exists(guideFolder.resolve(file))) {
                    problems.add("link to no file: " + target);
                }
            }
        }
        return problems;
    }

    static Set<String> variables(String text) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = VARIABLE.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    static Set<String> paths(String text) {
        Set<String> paths = new LinkedHashSet<>();
        Matcher m = REPO_PATH.matcher(text);
        while (m.find()) {
            paths.add(m.group());
        }
        return paths;
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
    static String anchor(String heading) {
        return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    /** The variables the README's configuration reference documents (each in backquotes there). */
    private static Set<String> configurationReferenceVariables() {
        String readme = read(ROOT.resolve("README.md"));
        int start = readme.indexOf("## Configuration reference");
        assertTrue(start >= 0, "README.md has a '## Configuration reference' section");
        int end = readme.indexOf("\n## ", start + 1);
        String reference = end < 0 ? readme.substring(start) : readme.substring(start, end);
        Matcher m = Pattern.compile("`(CLOUDPLANE_[A-Z0-9_]*[A-Z0-9])`").matcher(reference);
        Set<String> names = new TreeSet<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The CLOUDPLANE_ names that the modules' main Java sources hold. */
    private static Set<String> mainSources(Path root) {
        Set<String> names = new TreeSet<>();
        for (String module : List.of("workflows", "infra", "activities", "api", "worker")) {
            try (Stream<Path> files = Files.walk(root.resolve(module).resolve("src/main/java"))) {
                files.filter(f -> f.toString().endsWith(".java")).forEach(f -> names.addAll(variables(read(f))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return names;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
