package io.cloudplane.api.security;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;
import java.util.List;

/**
 * {@code cloudplane.rate-limit.*}: how many logins ({@code POST /sessions}) an account and a client
 * address may try per {@code login-window} (10 and 30 a minute), and how many sign-ups
 * ({@code POST /accounts}) an address and an email may try per {@code sign-up-window} (5 and 3 an
 * hour). Counted in memory, per process. The client address is the connection's; a
 * {@code X-Forwarded-For} header is believed only from the {@code trusted-proxies} (addresses or
 * CIDR blocks such as {@code 10.0.0.0/8}), as Rails and nginx's real-IP module do: the address is
 * then the rightmost one of the header that is not a trusted proxy.
 */
@ConfigurationProperties("cloudplane.rate-limit")
public record RateLimitSettings(
        @Bindable(defaultValue = "10") int loginsPerAccount,
        @Bindable(defaultValue = "30") int loginsPerAddress,
        @Bindable(defaultValue = "1m") Duration loginWindow,
        @Bindable(defaultValue = "5") int signUpsPerAddress,
        @Bindable(defaultValue = "3") int signUpsPerEmail,
        @Bindable(defaultValue = "1h") Duration signUpWindow,
        @Nullable List<String> trustedProxies) {

    public RateLimitSettings {
        Settings.require(loginsPerAccount >= 1, "cloudplane.rate-limit.logins-per-account", "must be at least 1", loginsPerAccount);
        Settings.require(loginsPerAddress >= 1, "cloudplane.rate-limit.logins-per-address", "must be at least 1", loginsPerAddress);
        Settings.require(Settings.positive(loginWindow), "cloudplane.rate-limit.login-window", "must be a positive duration such as 1m", loginWindow);
        Settings.require(signUpsPerAddress >= 1, "cloudplane.rate-limit.sign-ups-per-address", "must be at least 1", signUpsPerAddress);
        Settings.require(signUpsPerEmail >= 1, "cloudplane.rate-limit.sign-ups-per-email", "must be at least 1", signUpsPerEmail);
        Settings.require(Settings.positive(signUpWindow), "cloudplane.rate-limit.sign-up-window", "must be a positive duration such as 1h", signUpWindow);
        trustedProxies = trustedProxies == null ? List.of() : trustedProxies.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String proxy : trustedProxies) {
            Settings.require(AddressBlock.parse(proxy).isPresent(), "cloudplane.rate-limit.trusted-proxies",
                    "must list IP addresses or CIDR blocks such as 10.0.0.0/8", proxy);
        }
    }
}
