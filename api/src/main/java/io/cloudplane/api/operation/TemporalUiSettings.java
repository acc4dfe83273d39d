package io.cloudplane.api.operation;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code cloudplane.temporal-ui.url} ({@code CLOUDPLANE_TEMPORAL_UI_URL}): the Temporal UI's address, such as
 * {@code http://localhost:8233}; where set, every Operation of the API shows {@code temporalUiUrl} and the
 * console's operator page links each workflow ID, both to {@code <url>/namespaces/<namespace>/workflows/<workflowId>}.
 * Empty (the default): no links.
 */
@ConfigurationProperties("cloudplane.temporal-ui")
public record TemporalUiSettings(@Bindable(defaultValue = "") String url) {

    public TemporalUiSettings {
        url = url.trim().replaceAll("/+$", "");
        Settings.require(url.isEmpty() || url.matches("https?://[^\\s/]+(/\\S*)?"), "cloudplane.temporal-ui.url",
                "must be an http or https URL such as http://localhost:8233", url);
    }

    public boolean enabled() {
        return !url.isEmpty();
    }

    /** The workflow's page in the Temporal UI; null when no URL is set. */
    public String workflowLink(String namespace, String workflowId) {
        return workflowLink(namespace, workflowId, null);
    }

    /**
     * The page of one run of the workflow, when its run ID is known: several operations of an environment
     * share a workflow ID (a restart's {@code env-restart/<envId>}), and the ID alone opens the newest run.
     */
    public String workflowLink(String namespace, String workflowId, String runId) {
        if (!enabled()) {
            return null;
        }
        String workflow = url + "/namespaces/" + segment(namespace) + "/workflows/" + segment(workflowId);
        return runId == null || runId.isBlank() ? workflow : workflow + "/" + segment(runId) + "/history";
    }

    private static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
