package io.cloudplane.infra.config;

import io.micronaut.context.exceptions.ConfigurationException;

import java.util.Locale;

/**
 * Checks for the typed settings records ({@code *Settings}, one {@code @ConfigurationProperties}
 * record per area). A bad value stops the start with a message that names the key in both its forms,
 * the rule and the value, so an operator knows what to fix.
 */
public final class Settings {
    private Settings() {
    }

    /** Fails the start unless {@code ok}: "{@code key (ENV_NAME) rule; it is value}". */
    public static void require(boolean ok, String key, String rule, Object value) {
        if (!ok) {
            throw new ConfigurationException("Invalid setting " + key + " (" + environmentName(key) + ") " + rule + "; it is "
                    + (value == null ? "not set" : "'" + shown(value) + "'"));
        }
    }

    public static boolean positive(java.time.Duration duration) {
        return !duration.isNegative() && !duration.isZero();
    }

    private static String shown(Object value) {
        if (value instanceof java.time.Duration d) {
            return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
        }
        return value.toString();
    }

    /** {@code cloudplane.identity.bcrypt-cost} is set by {@code CLOUDPLANE_IDENTITY_BCRYPT_COST}. */
    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
