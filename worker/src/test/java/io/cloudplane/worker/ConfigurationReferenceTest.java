package io.cloudplane.worker;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.naming.NameUtils;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every setting Cloudplane reads is in the README's configuration reference, by its environment
 * variable: the components of every typed settings record ({@code @ConfigurationProperties}), and
 * every key that code still names directly (a {@code ${...}} placeholder in a schedule, or a
 * {@code @Requires} condition). Found by reading the modules' classes and sources, so a new setting
 * fails this test until it is documented.
 */
class ConfigurationReferenceTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{((?:cloudplane|temporal)\\.[a-z0-9.-]+)");
    private static final Pattern REQUIRES = Pattern.compile("(?:property|missingProperty)\\s*=\\s*\"((?:cloudplane|temporal)\\.[a-z0-9.-]+)\"");
    /** Keys read as a list of entries, documented in their own section. */
    private static final Set<String> DOCUMENTED_ELSEWHERE = Set.of();

    @Test
    void everySettingIsInTheReadmesConfigurationReference() throws Exception {
        Set<String> keys = new TreeSet<>();
        keys.addAll(settingsRecordKeys());
        keys.addAll(keysNamedInSources());
        keys.removeAll(DOCUMENTED_ELSEWHERE);
        assertTrue(keys.size() > 40, "the scan found the settings: " + keys);

        String reference = configurationReference();
        List<String> missing = new ArrayList<>();
        for (String key : keys) {
            if (!reference.contains("`" + Settings.environmentName(key) + "`")) {
                missing.add(Settings.environmentName(key) + " (" + key + ")");
            }
        }
        assertEquals(List.of(), missing, "settings missing from README.md's configuration reference");
    }

    @Test
    void theScanSeesRecordsAndPlaceholders() throws Exception {
        assertTrue(settingsRecordKeys().contains("cloudplane.identity.bcrypt-cost"));
        assertTrue(keysNamedInSources().contains("cloudplane.metrics.interval"));
    }

    private static Set<String> settingsRecordKeys() throws IOException {
        Set<String> keys = new TreeSet<>();
        for (String module : List.of("infra", "activities", "api", "worker")) {
            Path classes = ROOT.resolve(module).resolve("target/classes");
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".class") && !f.getFileName().toString().contains("$")).toList()) {
                    String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                    Class<?> type;
                    try {
                        type = Class.forName(name, false, ConfigurationReferenceTest.class.getClassLoader());
                    } catch (ClassNotFoundException | LinkageError e) {
                        continue;
                    }
                    ConfigurationProperties properties = type.getAnnotation(ConfigurationProperties.class);
                    if (properties != null && type.isRecord()) {
                        for (RecordComponent c : type.getRecordComponents()) {
                            keys.add(properties.value() + "." + NameUtils.hyphenate(c.getName()));
                        }
                    }
                }
            }
        }
        return keys;
    }

    private static Set<String> keysNamedInSources() throws IOException {
        Set<String> keys = new TreeSet<>();
        for (String module : List.of("infra", "activities", "api", "worker")) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    String source = read(file);
                    for (Pattern p : List.of(PLACEHOLDER, REQUIRES)) {
                        Matcher m = p.matcher(source);
                        while (m.find()) {
                            keys.add(m.group(1));
                        }
                    }
                }
            }
        }
        return keys;
    }

    private static String configurationReference() {
        String readme = read(ROOT.resolve("README.md"));
        int start = readme.indexOf("## Configuration reference");
        assertTrue(start >= 0, "README.md has a '## Configuration reference' section");
        int end = readme.indexOf("\n## ", start + 1);
        return end < 0 ? readme.substring(start) : readme.substring(start, end);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
