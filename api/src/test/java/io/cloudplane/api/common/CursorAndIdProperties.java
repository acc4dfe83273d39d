package io.cloudplane.api.common;

import io.cloudplane.api.problem.ApiException;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import static io.cloudplane.api.Generators.anyText;
import static io.cloudplane.api.Generators.qt;
import static io.cloudplane.api.Generators.textOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Paging cursors and IDs in bodies are user text: any text is read (a cursor this API gave reads
 * back as the same position, an ID as the same UUID) or refused with a 400 naming the field, never
 * anything else.
 */
class CursorAndIdProperties {




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
