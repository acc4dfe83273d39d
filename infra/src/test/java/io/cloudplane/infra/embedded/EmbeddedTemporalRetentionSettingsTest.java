package io.cloudplane.infra.embedded;

import io.micronaut.context.exceptions.ConfigurationException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedTemporalRetentionSettingsTest {

    @Test
    void theRetentionIsAPositiveDurationOfThreeDaysByDefault() {
        assertEquals(Duration.ofDays(3), EmbeddedTemporalRetentionSettings.DEFAULT_RETENTION);
        ConfigurationException zero = assertThrows(ConfigurationException.class, () -> new EmbeddedTemporalRetentionSettings(Duration.ZERO));
        assertTrue(zero.getMessage().contains("CLOUDPLANE_EMBEDDED_TEMPORAL_RETENTION"), zero.getMessage());
        assertThrows(ConfigurationException.class, () -> new EmbeddedTemporalRetentionSettings(Duration.ofSeconds(-1)));
    }

    @Test
    void closedRunsAreSweptEveryHalfRetentionAtLeastOnceAMinute() {
        assertEquals(Duration.ofMinutes(1), ClosedWorkflowRetention.sweepInterval(Duration.ofDays(3)));
        assertEquals(Duration.ofMillis(1500), ClosedWorkflowRetention.sweepInterval(Duration.ofSeconds(3)));
        assertEquals(Duration.ofMillis(200), ClosedWorkflowRetention.sweepInterval(Duration.ofMillis(1)));
    }
}
