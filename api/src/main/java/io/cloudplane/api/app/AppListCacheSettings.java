package io.cloudplane.api.app;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * {@code cloudplane.app-list-cache.*}: whether {@code GET /api/v1/apps} keeps each user's list,
 * serialized, until a row it is built from changes ({@code enabled}, true), and how many bytes of
 * lists one API process keeps at most ({@code max-bytes}, 64 MiB: about 2,000 users with 100 apps
 * each, or 80,000 with a sandbox and a few apps; the least used go first).
 */
@ConfigurationProperties("cloudplane.app-list-cache")
public record AppListCacheSettings(
        @Bindable(defaultValue = "true") boolean enabled,
        @Bindable(defaultValue = "67108864") long maxBytes) {

    public AppListCacheSettings {
        Settings.require(maxBytes >= 0, "cloudplane.app-list-cache.max-bytes", "must be a number of bytes, 0 or more", maxBytes);
    }
}
