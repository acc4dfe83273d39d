package io.cloudplane.infra.identity;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * {@code cloudplane.identity.*}: who keeps the accounts ({@code provider}: {@code local}, Cloudplane's
 * own store, or {@code cognito}, an AWS Cognito user pool configured by {@link CognitoSettings}), and
 * for the local store the bcrypt cost of stored passwords, how many failed logins in a row lock an
 * account, and for how long.
 */
@ConfigurationProperties("cloudplane.identity")
public record IdentitySettings(
        @Bindable(defaultValue = "local") String provider,
        @Bindable(defaultValue = "11") int bcryptCost,
        @Bindable(defaultValue = "5") int maxFailedLogins,
        @Bindable(defaultValue = "15m") Duration lockout) {

    public static final String LOCAL = "local";
    public static final String COGNITO = "cognito";

    public IdentitySettings {
        Settings.require(provider.equals(LOCAL) || provider.equals(COGNITO), "cloudplane.identity.provider", "must be local or cognito",
                provider);
        Settings.require(bcryptCost >= 4 && bcryptCost <= 31, "cloudplane.identity.bcrypt-cost", "must be from 4 to 31", bcryptCost);
        Settings.require(maxFailedLogins >= 1, "cloudplane.identity.max-failed-logins", "must be at least 1", maxFailedLogins);
        Settings.require(Settings.positive(lockout), "cloudplane.identity.lockout", "must be a positive duration such as 15m", lockout);
    }
}
