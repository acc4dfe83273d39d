package io.cloudplane.api.metrics;

import io.cloudplane.api.problem.ApiException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A metrics request's {@code step} is a duration the user types ("30s", "5m", "1h", "2d"). Any
 * text is either read as exactly that duration or refused with a 400 naming {@code step}; nothing
 * else is thrown.
 */
class StepProperties {
    @Provide
    Arbitrary<String> anyText() {
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(12),
                Arbitraries.strings().withChars("0123456789smhdSMHD -+.e").ofMaxLength(10));
    }

    @Property(tries = 1000)
    void anyTextIsAStepOrA400NamingStep(@ForAll("anyText") String text) {
        try {
            Duration step = MetricsController.duration(text);
            assertEquals(text.strip(), written(step, text.strip()), "read back");
        } catch (ApiException e) {
            assertEquals(400, e.status().getCode());
            assertEquals("step", e.errors().get(0).field());
        }
    }

    @Property
    void aWrittenStepIsReadAsItsDuration(@ForAll @IntRange(min = 0, max = 999_999) int n, @ForAll("units") char unit) {
        Duration expected = switch (unit) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        assertEquals(expected, MetricsController.duration(n + String.valueOf(unit)));
    }

    @Provide
    Arbitrary<Character> units() {
        return Arbitraries.of('s', 'm', 'h', 'd');
    }

    /** The step as it was written: its number in the unit the text ends with. */
    private static String written(Duration step, String text) {
        char unit = text.charAt(text.length() - 1);
        long seconds = step.toSeconds();
        long n = switch (unit) {
            case 's' -> seconds;
            case 'm' -> seconds / 60;
            case 'h' -> seconds / 3600;
            default -> seconds / 86400;
        };
        String digits = text.substring(0, text.length() - 1);
        return digits.replaceFirst("^0+(?=\\d)", "").equals(Long.toString(n)) ? text : "read as " + step;
    }
}
