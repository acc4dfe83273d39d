package io.cloudplane.infra.runtime.kubernetes;

import io.cloudplane.infra.runtime.kubernetes.KubernetesRuntime.Target;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.util.regex.Pattern;

import static io.cloudplane.infra.Generators.anyText;
import static io.cloudplane.infra.Generators.qt;
import static io.cloudplane.infra.Generators.textOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An environment's preview and Studio host names are made of the app's and the environment's
 * names, which users choose. Whatever they are, each host is a DNS name Kubernetes accepts in an
 * Ingress rule (RFC 1123): labels of 1 to 63 lowercase letters, digits and hyphens, not starting or
 * ending with a hyphen, 253 characters in all.
 */
class HostNameProperties {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private final KubernetesManifests manifests = new KubernetesManifests(KubernetesSettings.defaults());





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
