package io.cloudplane.infra.runtime.kubernetes;

import io.cloudplane.infra.runtime.kubernetes.KubernetesRuntime.Target;
import org.junit.jupiter.api.Test;
import org.quicktheories.QuickTheory;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * An environment's preview and Studio host names are made of the app's and the environment's
 * names, which users choose. Whatever they are, each host is a DNS name Kubernetes accepts in an
 * Ingress rule (RFC 1123): labels of 1 to 63 lowercase letters, digits and hyphens, not starting or
 * ending with a hyphen, 253 characters in all.
 */
class HostNameProperties {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private final KubernetesManifests manifests = new KubernetesManifests(KubernetesSettings.defaults());

    /**
     * The examples come from a fixed seed, so that CI is repeatable: {@code -Dcloudplane.properties.seed}
     * varies it, {@code -Dcloudplane.properties.scale} multiplies the number of examples.
     */
    private static QuickTheory qt(int examples) {
        return QuickTheory.qt().withFixedSeed(Long.getLong("cloudplane.properties.seed", 20261130L))
                .withExamples(examples * Integer.getInteger("cloudplane.properties.scale", 1));
    }

    /** Text of {@code min} to {@code max} characters, each drawn from {@code chars}. */
    private static Gen<String> text(Gen<Character> chars, int min, int max) {
        return lists().of(chars).ofSizeBetween(min, max).map(list -> {
            StringBuilder text = new StringBuilder(list.size());
            list.forEach(text::append);
            return text.toString();
        });
    }

    /** Any UTF-16 characters at all: NUL, controls, lone surrogates. */
    private static Gen<String> anyText(int max) {
        return text(Generate.characters(Character.MIN_VALUE, Character.MAX_VALUE), 0, max);
    }

    private static Gen<String> textOf(String alphabet, int min, int max) {
        return text(arbitrary().pick(alphabet.chars().mapToObj(c -> (char) c).toList()), min, max);
    }

    static Gen<String> names() {
        return Generate.oneOf(
                // What the API lets through for apps and environments (Requests.NAME_PATTERN, 2 to 40 characters).
                textOf("abcdefghijklmnopqrstuvwxyz0123456789-", 2, 40).assuming(s -> s.matches("[a-z][a-z0-9-]*[a-z0-9]")),
                // And anything else a name might hold (a sandbox's, a clone's, an older row's).
                anyText(80));
    }

    @Test
    void previewAndStudioHostsAreDnsNames() {
        qt(1000).forAll(names(), names()).checkAssert((app, env) -> {
            Target target = new Target("a5c1f3e2-0000-4000-8000-000000000000", app, env, true);
            for (String host : new String[]{manifests.previewHost(target), manifests.studioHost(target)}) {
                assertTrue(host.length() <= 253, host);
                for (String label : host.split("\\.", -1)) {
                    assertTrue(LABEL.matcher(label).matches(), "label '" + label + "' of " + host + " (app '" + app + "', environment '" + env + "')");
                }
            }
        });
    }
}
