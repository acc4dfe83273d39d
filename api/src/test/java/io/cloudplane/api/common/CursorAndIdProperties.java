package io.cloudplane.api.common;

import io.cloudplane.api.problem.ApiException;
import org.junit.jupiter.api.Test;
import org.quicktheories.QuickTheory;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Paging cursors and IDs in bodies are user text: any text is read (a cursor this API gave reads
 * back as the same position, an ID as the same UUID) or refused with a 400 naming the field, never
 * anything else.
 */
class CursorAndIdProperties {
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

    static Gen<String> anyInput() {
        return Generate.oneOf(anyText(60), textOf("ABCDEFabcdef0123456789-_:", 0, 60),
                // base64url of "number:anything", which gets past the first checks
                longs().all().zip(anyText(40), (n, s) -> java.util.Base64.getUrlEncoder().withoutPadding()
                        .encodeToString((n + ":" + s).getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    }

    @Test
    void anyTextIsACursorOrA400NamingCursor() {
        qt(1000).forAll(anyInput()).checkAssert(text -> {
            try {
                Cursor.parse(text);
            } catch (ApiException e) {
                assertEquals(400, e.status().getCode());
                assertEquals("cursor", e.errors().get(0).field());
            }
        });
    }

    @Test
    void aCursorThisApiGaveReadsBackAsTheSamePosition() {
        qt(1000).forAll(instants(), uuids()).checkAssert((at, id) -> assertEquals(new Cursor(at, id), Cursor.parse(Cursor.of(at, id))));
    }

    @Test
    void anyTextIsAnIdOrA400NamingTheField() {
        qt(1000).forAll(anyInput()).checkAssert(text -> {
            try {
                UUID id = Ids.parse("releaseId", text);
                assertEquals(id, UUID.fromString(text.strip()));
            } catch (ApiException e) {
                assertEquals(400, e.status().getCode());
                assertEquals("releaseId", e.errors().get(0).field());
            }
        });
    }

    @Test
    void anIdReadsBackAsItself() {
        qt(1000).forAll(uuids()).checkAssert(id -> {
            assertEquals(id, Ids.parse("releaseId", id.toString()));
            assertEquals(id, Ids.parse("releaseId", id.toString().toUpperCase()));
        });
    }

    static Gen<Instant> instants() {
        // Rows' creation times: Cursor.of counts microseconds through nanoseconds, which a long holds until 2262.
        return longs().between(0, 9_000_000_000_000_000L).map(micros -> Instant.EPOCH.plus(micros, ChronoUnit.MICROS));
    }

    static Gen<UUID> uuids() {
        return longs().all().zip(longs().all(), UUID::new);
    }
}
