package io.cloudplane.infra.runtime.kubernetes;

import io.cloudplane.infra.runtime.kubernetes.KubernetesRuntime.Target;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.util.regex.Pattern;

import static io.cloudplane.infra.Generators.qt;
import static io.cloudplane.infra.Generators.textOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An environment's app and Studio host names are made of its host label, which the database makes
 * (migration V21: "<environment>-<app>-<12 hex>", the names as slugs of at most 20 and 21
 * characters, PersistenceTest checks it). For every label of that shape, each host is a DNS name
 * Kubernetes accepts in an Ingress rule (RFC 1123): labels of 1 to 63 lowercase letters, digits and
 * hyphens, not starting or ending with a hyphen, 253 characters in all; the Studio's "studio-" too.
 */
class HostNameProperties {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private final KubernetesManifests manifests = new KubernetesManifests(KubernetesSettings.defaults(), "http://127.0.0.1:8080");

    /** A slug as the database's environment_slug leaves it: no hyphen at either end, possibly empty. */
    static Gen<String> slug(int max) {
        return textOf("abcdefghijklmnopqrstuvwxyz0123456789-", 0, max).map(s -> s.replaceAll("^-+|-+$", ""));
    }

    @Test
    void appAndStudioHostsOfEveryLabelTheDatabaseMakesAreDnsNames() {
        qt(1000).forAll(slug(20), slug(21), textOf("0123456789abcdef", 12, 12)).checkAssert((env, app, hex) -> {
            String label = String.join("-", java.util.stream.Stream.of(env, app, hex).filter(p -> !p.isEmpty()).toList());
            Target target = new Target("a5c1f3e2-0000-4000-8000-000000000000", label, true);
            for (String host : new String[]{manifests.previewHost(target), manifests.studioHost(target)}) {
                assertTrue(host.length() <= 253, host);
                for (String part : host.split("\\.", -1)) {
                    assertTrue(LABEL.matcher(part).matches(), "label '" + part + "' of " + host);
                }
            }
        });
    }
}
