package io.cloudplane.infra;

import org.quicktheories.QuickTheory;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.lists;

/** What this module's property tests (QuickTheories) share: the seeded runner and text generators. */
public final class Generators {
    private Generators() {
    }

    /**
     * The examples come from a fixed seed, so that CI is repeatable: {@code -Dcloudplane.properties.seed}
     * varies it, {@code -Dcloudplane.properties.scale} multiplies the number of examples.
     */
    public static QuickTheory qt(int examples) {
        return QuickTheory.qt().withFixedSeed(Long.getLong("cloudplane.properties.seed", 20261130L))
                .withExamples(examples * Integer.getInteger("cloudplane.properties.scale", 1));
    }

    /** Text of {@code min} to {@code max} characters, each drawn from {@code chars}. */
    public static Gen<String> text(Gen<Character> chars, int min, int max) {
        return lists().of(chars).ofSizeBetween(min, max).map(list -> {
            StringBuilder text = new StringBuilder(list.size());
            list.forEach(text::append);
            return text.toString();
        });
    }

    /** Any UTF-16 characters at all: NUL, controls, lone surrogates. */
    public static Gen<String> anyText(int max) {
        return text(Generate.characters(Character.MIN_VALUE, Character.MAX_VALUE), 0, max);
    }

    /** Text of {@code min} to {@code max} characters of {@code alphabet}. */
    public static Gen<String> textOf(String alphabet, int min, int max) {
        return text(arbitrary().pick(alphabet.chars().mapToObj(c -> (char) c).toList()), min, max);
    }
}
