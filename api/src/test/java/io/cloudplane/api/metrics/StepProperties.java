package io.cloudplane.api.metrics;

import io.cloudplane.api.problem.ApiException;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.time.Duration;

import static io.cloudplane.api.Generators.anyText;
import static io.cloudplane.api.Generators.qt;
import static io.cloudplane.api.Generators.textOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;

/**
 * A metrics request's {@code step} is a duration the user types ("30s", "5m", "1h", "2d"). Any
 * text is either read as exactly that duration or refused with a 400 naming {@code step}; nothing
 * else is thrown.
 */
class StepProperties {




    static Gen<String> anySteps() {
        return Generate.oneOf(anyText(12), textOf("0123456789smhdSMHD -+.e", 0, 10));
    }

    @Test
    void anyTextIsAStepOrA400NamingStep() {
        qt(1000).forAll(anySteps()).checkAssert(text -> {
            try {
                Duration step = MetricsController.duration(text);
                assertEquals(text.strip(), written(step, text.strip()), "read back");
            } catch (ApiException e) {
                assertEquals(400, e.status().getCode());
                assertEquals("step", e.errors().get(0).field());
            }
        });
    }

    @Test
    void aWrittenStepIsReadAsItsDuration() {
        qt(1000).forAll(integers().between(0, 999_999), arbitrary().pick('s', 'm', 'h', 'd')).checkAssert((n, unit) -> {
            Duration expected = switch (unit) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            assertEquals(expected, MetricsController.duration(n + String.valueOf(unit)));
        });
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
