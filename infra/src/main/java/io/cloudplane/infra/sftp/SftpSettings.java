package io.cloudplane.infra.sftp;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code cloudplane.sftp.*}: SFTP per environment.
 * <ul>
 *   <li>{@code enabled} (default true), {@code port} ({@code CLOUDPLANE_SFTP_PORT}, default 2222; 0 picks a
 *       free one) and {@code bind-address} (default 127.0.0.1, like the API; 0.0.0.0 behind a load balancer);</li>
 *   <li>{@code public-host} and {@code public-port}: what clients are told to connect to (default
 *       {@code localhost} and the listener's port);</li>
 *   <li>{@code host-key}: the server's host key file, generated once if missing (default
 *       {@code <data-dir>/sftp/ssh_host_ecdsa_key}), so clients never see it change;</li>
 *   <li>{@code quota-mb}: each environment's disk quota for its code and resources through SFTP (default 1024);</li>
 *   <li>{@code idle-timeout}: an idle session is closed (default 10m);</li>
 *   <li>{@code max-sessions-per-user}: open sessions per person across environments (default 5);</li>
 *   <li>{@code password-lifetime}: how long a short-lived SFTP password works (default 12h);</li>
 *   <li>{@code failed-logins-per-account}, {@code failed-logins-per-address} within {@code failed-login-window}:
 *       past them, logins are refused until the window passes (defaults 5, 20, 15m);</li>
 *   <li>{@code recheck-interval}: every open session's access is decided again this often, so that someone
 *       removed in another process loses it too (default 5s; in this process a removal ends it at once);</li>
 *   <li>{@code environment} and {@code files-root}: the Kubernetes sidecar's mode: serve only this
 *       environment, whose {@code code} and {@code resources} folders are under {@code files-root} (the
 *       mounted volume), instead of every environment's folders under the data directory;</li>
 *   <li>{@code ciphers}: the ciphers offered, in order (default {@link #DEFAULT_CIPHERS}).</li>
 * </ul>
 */
@ConfigurationProperties("cloudplane.sftp")
public record SftpSettings(
        @Bindable(defaultValue = "true") boolean enabled,
        @Bindable(defaultValue = "2222") int port,
        @Bindable(defaultValue = "127.0.0.1") String bindAddress,
        @Bindable(defaultValue = "localhost") String publicHost,
        @Nullable Integer publicPort,
        @Nullable Path hostKey,
        @Bindable(defaultValue = "1024") long quotaMb,
        @Bindable(defaultValue = "10m") Duration idleTimeout,
        @Bindable(defaultValue = "5") int maxSessionsPerUser,
        @Bindable(defaultValue = "12h") Duration passwordLifetime,
        @Bindable(defaultValue = "5") int failedLoginsPerAccount,
        @Bindable(defaultValue = "20") int failedLoginsPerAddress,
        @Bindable(defaultValue = "15m") Duration failedLoginWindow,
        @Bindable(defaultValue = "5s") Duration recheckInterval,
        @Nullable String environment,
        @Nullable Path filesRoot,
        @Nullable java.util.List<String> ciphers) {

    /** Offered in this order when {@code ciphers} is not set: AES-GCM, then AES-CTR; no chacha20-poly1305 (see the SFTP server), no CBC. */
    public static final java.util.List<String> DEFAULT_CIPHERS = java.util.List.of("aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
            "aes128-ctr", "aes192-ctr", "aes256-ctr");

    public SftpSettings {
        ciphers = ciphers == null || ciphers.isEmpty() ? DEFAULT_CIPHERS : ciphers.stream().map(String::trim).filter(c -> !c.isEmpty()).toList();
        Settings.require(port >= 0 && port <= 65535, "cloudplane.sftp.port", "must be a port from 0 to 65535", port);
        Settings.require(publicPort == null || (publicPort >= 1 && publicPort <= 65535), "cloudplane.sftp.public-port",
                "must be a port from 1 to 65535", publicPort);
        Settings.require(quotaMb >= 1, "cloudplane.sftp.quota-mb", "must be at least 1", quotaMb);
        Settings.require(Settings.positive(idleTimeout), "cloudplane.sftp.idle-timeout", "must be a positive duration such as 10m", idleTimeout);
        Settings.require(maxSessionsPerUser >= 1, "cloudplane.sftp.max-sessions-per-user", "must be at least 1", maxSessionsPerUser);
        Settings.require(passwordLifetime.toMinutes() >= 1, "cloudplane.sftp.password-lifetime", "must be at least 1m", passwordLifetime);
        Settings.require(failedLoginsPerAccount >= 1, "cloudplane.sftp.failed-logins-per-account", "must be at least 1", failedLoginsPerAccount);
        Settings.require(failedLoginsPerAddress >= 1, "cloudplane.sftp.failed-logins-per-address", "must be at least 1", failedLoginsPerAddress);
        Settings.require(Settings.positive(failedLoginWindow), "cloudplane.sftp.failed-login-window", "must be a positive duration such as 15m", failedLoginWindow);
        Settings.require(Settings.positive(recheckInterval), "cloudplane.sftp.recheck-interval", "must be a positive duration such as 5s", recheckInterval);
        Settings.require((environment == null) == (filesRoot == null), "cloudplane.sftp.environment",
                "and cloudplane.sftp.files-root go together (the Kubernetes sidecar's mode)", environment);
    }

    public long quotaBytes() {
        return quotaMb * 1024 * 1024;
    }
}
