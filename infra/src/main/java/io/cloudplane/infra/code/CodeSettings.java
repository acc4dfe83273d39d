package io.cloudplane.infra.code;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Limits on uploaded code archives ({@code cloudplane.code.*}): the archive's size, its number of
 * entries, and the bytes it may expand to (a zip bomb declares small sizes and lies).
 */
@ConfigurationProperties("cloudplane.code")
public record CodeSettings(
        @Bindable(defaultValue = "512") long maxArchiveMib,
        @Bindable(defaultValue = "50000") int maxEntries,
        @Bindable(defaultValue = "2048") long maxExpandedMib) {

    public CodeSettings {
        Settings.require(maxArchiveMib >= 1, "cloudplane.code.max-archive-mib", "must be at least 1", maxArchiveMib);
        Settings.require(maxEntries >= 1, "cloudplane.code.max-entries", "must be at least 1", maxEntries);
        Settings.require(maxExpandedMib >= 1, "cloudplane.code.max-expanded-mib", "must be at least 1", maxExpandedMib);
    }

    public CodeArchives.Limits limits() {
        return new CodeArchives.Limits(maxArchiveMib * 1024 * 1024, maxEntries, maxExpandedMib * 1024 * 1024);
    }

    /**
     * The limits a stored artifact is unpacked under (a deployment, a clone, a pod's init container).
     * Canonical artifacts list every folder, so they hold more entries than the upload they came
     * from; the paths and links are checked as strictly, the counts get room for the folders.
     */
    public CodeArchives.Limits artifactLimits() {
        CodeArchives.Limits l = limits();
        return new CodeArchives.Limits(l.maxArchiveBytes() * 2, l.maxEntries() * 2, l.maxExpandedBytes());
    }
}
