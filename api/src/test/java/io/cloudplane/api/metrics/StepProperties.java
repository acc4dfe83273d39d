package io.cloudplane.api.metrics;

import io.cloudplane.api.problem.ApiException;
import org.junit.jupiter.api.Test;
import org.quicktheories.QuickTheory;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * A metrics request's {@code step} is a duration the user types ("30s", "5m", "1h", "2d"). Any
 * text is either read as exactly that duration or refused with a 400 naming {@code step}; nothing
 * else is thrown.
 */
class StepProperties {
    /**
     * The examples come from a fixed seed, so that CI is repeatable: {@code -Dcloudplane.properties.seed}
     * varies it, {@code -Dcloudplane.properties.scale} multiplies the number of examples.
     */
    private static QuickTheory qt(int examples) {
        return QuickTheory.qt().withFixedSeed(Long.getLong("cloudplane.properties.seed", 20261130L))
                .withExamples(examples * Integer.getInteger("cloudplane.properties.scale", 1));
    }

    /** Text of {@code min} to {@code max} characters, each drawn from {@code chars}. */
    private static Gen<String> text(Gen<Character> chars, int min, int max) {
        return lists().of(chars).ofSizeBetween(min, max).map(list -> {
            StringBuilder text = new StringBuilder(list.size());
            list.forEach(text::append);
            return text.toString();
        });
    }

    /** Any UTF-16 characters at all: NUL, controls, lone surrogates. */
    private static Gen<String> anyText(int max) {
        return text(Generate.characters(Character.MIN_VALUE, Character.MAX_VALUE), 0, max);
    }

    private static Gen<String> textOf(String alphabet, int min, int max) {
        return text(arbitrary().pick(alphabet.chars().mapToObj(c -> (char) c).toList()), min, max);
    }

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
