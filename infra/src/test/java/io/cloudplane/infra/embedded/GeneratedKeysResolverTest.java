package io.cloudplane.infra.embedded;

import io.micronaut.core.convert.ConversionService;
import io.micronaut.core.value.MapPropertyResolver;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The session signing secret: a configured one is used as given, unless it is too short or still the manifest's placeholder. */
class GeneratedKeysResolverTest {
    private static String resolve(String secret) {
        return new GeneratedKeysResolver().resolve(new MapPropertyResolver(Map.of("cloudplane.jwt-secret", secret)),
                ConversionService.SHARED, "session-signing-secret", String.class).orElseThrow();
    }

    @Test
    void aConfiguredSecretIsUsedAsGiven() {
        String secret = "q8J3v9X2mL5pR7tW1yZ4bN6cF0hK2sD8gA5eU3iO";
        assertEquals(secret, resolve(secret));
    }

    @Test
    void theManifestsPlaceholderAndShortSecretsAreRefused() {
        IllegalArgumentException placeholder = assertThrows(IllegalArgumentException.class,
                () -> resolve("change-me-to-at-least-32-characters-of-randomness"));
        assertTrue(placeholder.getMessage().contains("placeholder"), placeholder.getMessage());
        assertThrows(IllegalArgumentException.class, () -> resolve("too-short"));
    }
}
