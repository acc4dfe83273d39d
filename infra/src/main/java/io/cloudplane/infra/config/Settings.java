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

    /** A value as an operator would write it: a duration as {@code 7d}, {@code 12h}, {@code 30m}, {@code 45s} or {@code 250ms}. */
    public static String shown(Object value) {
        if (value instanceof java.time.Duration d) {
            long ms = d.toMillis();
            for (var unit : new Object[][]{{86_400_000L, "d"}, {3_600_000L, "h"}, {60_000L, "m"}, {1000L, "s"}}) {
                long size = (Long) unit[0];
                if (ms != 0 && ms % size == 0) {
                    return ms / size + (String) unit[1];
                }
            }
            return ms == 0 ? "0s" : ms + "ms";
        }
        return value.toString();
    }

    /** {@code cloudplane.identity.bcrypt-cost} is set by {@code CLOUDPLANE_IDENTITY_BCRYPT_COST}. */
    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
