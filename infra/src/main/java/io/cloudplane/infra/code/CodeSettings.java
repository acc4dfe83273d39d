package io.cloudplane.infra.code;

import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

/**
 * Limits on uploaded code archives ({@code cloudplane.code.*}): the archive's size, its number of
 * entries, and the bytes it may expand to (a zip bomb declares small sizes and lies).
 */
@Singleton
public class CodeSettings {
    private final CodeArchives.Limits limits;

    public CodeSettings(@Value("${cloudplane.code.max-archive-mib:512}") long maxArchiveMib,
                        @Value("${cloudplane.code.max-entries:50000}") int maxEntries,
                        @Value("${cloudplane.code.max-expanded-mib:2048}") long maxExpandedMib) {
        this.limits = new CodeArchives.Limits(maxArchiveMib * 1024 * 1024, maxEntries, maxExpandedMib * 1024 * 1024);
    }

    public CodeArchives.Limits limits() {
        return limits;
    }
}
