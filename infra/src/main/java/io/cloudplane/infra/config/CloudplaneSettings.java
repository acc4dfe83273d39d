package io.cloudplane.infra.config;

import io.cloudplane.infra.embedded.EmbeddedPostgresResolver;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The core settings, {@code cloudplane.*}: where Cloudplane keeps its state on this machine
 * ({@code data-dir}, default {@code ./.cloudplane}, created if missing; 0700, see {@link OwnerOnly}), where environments' servers
 * run ({@code runtime}: {@code local} or {@code kubernetes}), the key that seals secrets at rest
 * ({@code secret-key}, generated under the data directory when empty), the server version of new
 * environments ({@code default-server-version}, the catalog's last when empty), how long a new server
 * may take to become healthy ({@code server-health-timeout}), how long a session token lasts
 * ({@code session-lifetime-seconds}) and the address people open in emails ({@code console-url},
 * this process's own HTTP address by default: application.yml
 * sets it from {@code micronaut.server.port}).
 */
@ConfigurationProperties("cloudplane")
public record CloudplaneSettings(
        @Bindable(defaultValue = EmbeddedPostgresResolver.DEFAULT_DATA_DIR) Path dataDir,
        @Bindable(defaultValue = "local") String runtime,
        @Bindable(defaultValue = "") String secretKey,
        @Bindable(defaultValue = "") String defaultServerVersion,
        @Bindable(defaultValue = "60s") Duration serverHealthTimeout,
        @Bindable(defaultValue = "43200") int sessionLifetimeSeconds,
        @Bindable(defaultValue = "http://127.0.0.1:8080") String consoleUrl) {

    public CloudplaneSettings {
        dataDir = dataDir.toAbsolutePath().normalize();
        Settings.require(runtime.equals("local") || runtime.equals("kubernetes"), "cloudplane.runtime", "must be local or kubernetes", runtime);
        Settings.require(Settings.positive(serverHealthTimeout), "cloudplane.server-health-timeout", "must be a positive duration such as 60s", serverHealthTimeout);
        Settings.require(sessionLifetimeSeconds >= 60, "cloudplane.session-lifetime-seconds", "must be at least 60", sessionLifetimeSeconds);
        Settings.require(consoleUrl.startsWith("http://") || consoleUrl.startsWith("https://"),
                "cloudplane.console-url", "must be an http:// or https:// address", consoleUrl);
        try {
            OwnerOnly.directory(dataDir);
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException("Cannot create the data directory " + dataDir + " (cloudplane.data-dir, CLOUDPLANE_DATA_DIR)", e.getCause());
        }
    }

    /** Every other setting at its default: for tests and tools that only need a data directory. */
    public CloudplaneSettings(String dataDir) {
        this(Path.of(dataDir), "local", "", "", Duration.ofSeconds(60), 43200, "http://127.0.0.1:8080");
    }

    @Override
    public String toString() {
        return "CloudplaneSettings[dataDir=" + dataDir + ", runtime=" + runtime + ", secretKey=" + (secretKey.isEmpty() ? "generated" : "[set]") + "]";
    }
}
