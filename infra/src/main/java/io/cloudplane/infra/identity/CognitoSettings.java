package io.cloudplane.infra.identity;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.net.URI;
import java.time.Duration;

/**
 * {@code cloudplane.identity.cognito.*}, read when {@code cloudplane.identity.provider} is
 * {@code cognito}: the user pool ({@code user-pool-id}) and its app client ({@code client-id}, with
 * {@code client-secret} when the client has one; the client must allow {@code USER_PASSWORD_AUTH}),
 * the pool's {@code region} (by default the prefix of the pool ID, {@code eu-west-1} of
 * {@code eu-west-1_AbC123}), an {@code endpoint} override for a Cognito-protocol server such as
 * cognito-local, and the credentials of the admin calls: the standard AWS chain unless
 * {@code access-key} and {@code secret-key} are given (as for S3).
 * <p>
 * Tokens: {@code issuer} is the exact {@code iss} accepted (by default
 * {@code https://cognito-idp.<region>.amazonaws.com/<pool>}, or {@code <endpoint>/<pool>} with an
 * endpoint override), the keys are read from {@code <issuer>/.well-known/jwks.json},
 * {@code clock-skew} is the leeway on {@code exp} and {@code iat}, and {@code jwks-refresh-cooldown}
 * the least time between two fetches of the key set that a token with an unknown key ID causes.
 */
@ConfigurationProperties("cloudplane.identity.cognito")
@Requires(property = "cloudplane.identity.provider", value = IdentitySettings.COGNITO)
public record CognitoSettings(
        @Nullable String userPoolId,
        @Nullable String clientId,
        @Nullable String clientSecret,
        @Nullable String region,
        @Nullable String endpoint,
        @Nullable String issuer,
        @Nullable String accessKey,
        @Nullable String secretKey,
        @Bindable(defaultValue = "60s") Duration clockSkew,
        @Bindable(defaultValue = "30s") Duration jwksRefreshCooldown) {

    public CognitoSettings {
        Settings.require(userPoolId != null && userPoolId.matches("[\\w-]+_[0-9a-zA-Z]+"), "cloudplane.identity.cognito.user-pool-id",
                "must be a user pool ID such as eu-west-1_AbC123", userPoolId);
        Settings.require(clientId != null && !clientId.isBlank(), "cloudplane.identity.cognito.client-id",
                "must be the ID of an app client of the pool", clientId);
        if (region == null || region.isBlank()) {
            region = userPoolId.substring(0, userPoolId.indexOf('_'));
        }
        Settings.require(endpoint == null || validUrl(endpoint), "cloudplane.identity.cognito.endpoint", "must be an http(s) URL", endpoint);
        Settings.require(issuer == null || validUrl(issuer), "cloudplane.identity.cognito.issuer", "must be an http(s) URL", issuer);
        Settings.require((accessKey == null) == (secretKey == null), "cloudplane.identity.cognito.secret-key",
                "must be set together with cloudplane.identity.cognito.access-key", secretKey == null ? null : "(hidden)");
        Settings.require(!clockSkew.isNegative() && clockSkew.compareTo(Duration.ofMinutes(5)) <= 0, "cloudplane.identity.cognito.clock-skew",
                "must be from 0s to 5m", clockSkew);
        Settings.require(Settings.positive(jwksRefreshCooldown), "cloudplane.identity.cognito.jwks-refresh-cooldown",
                "must be a positive duration such as 30s", jwksRefreshCooldown);
    }

    /** The exact {@code iss} of the pool's tokens. */
    public String expectedIssuer() {
        if (issuer != null) {
            return stripSlash(issuer);
        }
        if (endpoint != null) {
            return stripSlash(endpoint) + "/" + userPoolId;
        }
        return "https://cognito-idp." + region + ".amazonaws.com/" + userPoolId;
    }

    /** Where the pool publishes its signing keys. */
    public URI jwksUri() {
        return URI.create(expectedIssuer() + "/.well-known/jwks.json");
    }

    @Override
    public String toString() {
        return "CognitoSettings[userPoolId=" + userPoolId + ", clientId=" + clientId + ", region=" + region + ", endpoint=" + endpoint
                + ", issuer=" + expectedIssuer() + "]";
    }

    private static boolean validUrl(String value) {
        try {
            URI uri = URI.create(value);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
