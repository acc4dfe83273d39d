package io.cloudplane.infra.domain;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;
import java.util.List;

/**
 * {@code cloudplane.domain.*}: custom domains.
 * <ul>
 *   <li>{@code acme-directory}: the ACME directory certificates are ordered from (default Let's
 *       Encrypt's production directory; its staging directory or any ACME server such as Pebble work
 *       too; empty: no ACME, a verified domain waits for an uploaded certificate);</li>
 *   <li>{@code acme-contact}: the email given to the authority for the account (optional);</li>
 *   <li>{@code acme-trust-pem}: a PEM file of CA certificates to trust for the directory's own HTTPS,
 *       beside the JDK's (for a private ACME server such as Pebble);</li>
 *   <li>{@code caa-identities}: the authority's CAA identities, when its directory names none;</li>
 *   <li>{@code addresses}: the gateway's public IPv4 and IPv6 addresses, given as the A/AAAA records
 *       for an apex domain (a name with no CNAME allowed) and accepted in place of the CNAME;</li>
 *   <li>{@code max-per-environment}: at most this many domains per environment (default 20);</li>
 *   <li>{@code verification-timeout}: a domain whose DNS is still wrong after this long is FAILED
 *       (default 7d); checks back off from {@code check-interval-min} (5s) to {@code check-interval-max} (1h);</li>
 *   <li>{@code renew-before}: an ACME certificate is renewed this long before it expires (default 30d);</li>
 *   <li>{@code expiry-notice-before}: the owner is emailed this long before a certificate expires when
 *       it has not been replaced by then (default 14d).</li>
 * </ul>
 */
@ConfigurationProperties("cloudplane.domain")
public record DomainSettings(
        @Bindable(defaultValue = "https://acme-v02.api.letsencrypt.org/directory") String acmeDirectory,
        @Nullable String acmeContact,
        @Nullable String acmeTrustPem,
        @Nullable List<String> caaIdentities,
        @Nullable List<String> addresses,
        @Bindable(defaultValue = "20") int maxPerEnvironment,
        @Bindable(defaultValue = "7d") Duration verificationTimeout,
        @Bindable(defaultValue = "5s") Duration checkIntervalMin,
        @Bindable(defaultValue = "1h") Duration checkIntervalMax,
        @Bindable(defaultValue = "30d") Duration renewBefore,
        @Bindable(defaultValue = "14d") Duration expiryNoticeBefore) {

    public DomainSettings {
        acmeDirectory = acmeDirectory == null ? "" : acmeDirectory.trim();
        caaIdentities = caaIdentities == null ? List.of() : caaIdentities.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        addresses = addresses == null ? List.of() : addresses.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        Settings.require(maxPerEnvironment >= 1, "cloudplane.domain.max-per-environment", "must be at least 1", maxPerEnvironment);
        Settings.require(Settings.positive(verificationTimeout), "cloudplane.domain.verification-timeout", "must be a positive duration such as 7d", verificationTimeout);
        Settings.require(Settings.positive(checkIntervalMin), "cloudplane.domain.check-interval-min", "must be a positive duration such as 5s", checkIntervalMin);
        Settings.require(checkIntervalMax.compareTo(checkIntervalMin) >= 0, "cloudplane.domain.check-interval-max", "must be at least check-interval-min", checkIntervalMax);
        Settings.require(Settings.positive(renewBefore), "cloudplane.domain.renew-before", "must be a positive duration such as 30d", renewBefore);
        Settings.require(Settings.positive(expiryNoticeBefore), "cloudplane.domain.expiry-notice-before", "must be a positive duration such as 14d", expiryNoticeBefore);
    }

    public boolean acmeConfigured() {
        return !acmeDirectory.isEmpty();
    }
}
