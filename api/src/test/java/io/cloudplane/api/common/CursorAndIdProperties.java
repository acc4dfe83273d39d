package io.cloudplane.api.common;

import io.cloudplane.api.problem.ApiException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Paging cursors and IDs in bodies are user text: any text is read (a cursor this API gave reads
 * back as the same position, an ID as the same UUID) or refused with a 400 naming the field, never
 * anything else.
 */
class CursorAndIdProperties {
    @Provide
    Arbitrary<String> anyText() {
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(60),
                Arbitraries.strings().withChars("ABCDEFabcdef0123456789-_:").ofMaxLength(60),
                // base64url of "number:anything", which gets past the first checks
                Combinators.combine(Arbitraries.longs(), Arbitraries.strings().all().ofMaxLength(40))
                        .as((n, s) -> java.util.Base64.getUrlEncoder().withoutPadding()
                                .encodeToString((n + ":" + s).getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    }

    @Property(tries = 1000)
    void anyTextIsACursorOrA400NamingCursor(@ForAll("anyText") String text) {
        try {
            Cursor.parse(text);
        } catch (ApiException e) {
            assertEquals(400, e.status().getCode());
            assertEquals("cursor", e.errors().get(0).field());
        }
    }

    @Property
    void aCursorThisApiGaveReadsBackAsTheSamePosition(@ForAll("instants") Instant at, @ForAll("uuids") UUID id) {
        assertEquals(new Cursor(at, id), Cursor.parse(Cursor.of(at, id)));
    }

    @Property(tries = 1000)
    void anyTextIsAnIdOrA400NamingTheField(@ForAll("anyText") String text) {
        try {
            UUID id = Ids.parse("releaseId", text);
            assertEquals(id, UUID.fromString(text.strip()));
        } catch (ApiException e) {
            assertEquals(400, e.status().getCode());
            assertEquals("releaseId", e.errors().get(0).field());
        }
    }

    @Property
    void anIdReadsBackAsItself(@ForAll("uuids") UUID id) {
        assertEquals(id, Ids.parse("releaseId", id.toString()));
        assertEquals(id, Ids.parse("releaseId", id.toString().toUpperCase()));
    }

    @Provide
    Arbitrary<Instant> instants() {
        // Rows' creation times: Cursor.of counts microseconds through nanoseconds, which a long holds until 2262.
        return Arbitraries.longs().between(0, 9_000_000_000_000_000L).map(micros -> Instant.EPOCH.plus(micros, ChronoUnit.MICROS));
    }

    @Provide
    Arbitrary<UUID> uuids() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(UUID::new);
    }
}
