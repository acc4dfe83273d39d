package io.cloudplane.api.common;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RecoveryLoopTest {
    private final Logger log = (Logger) LoggerFactory.getLogger("recovery-loop-test");
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void listen() {
        logged.start();
        log.addAppender(logged);
    }

    @AfterEach
    void stopListening() {
        log.detachAppender(logged);
    }

    private static List<UUID> ids(long count) {
        return LongStream.rangeClosed(1, count).mapToObj(i -> new UUID(0L, i)).toList();
    }

    @Test
    void aFailingItemIsLoggedWithTheJobsLoggerAndTheOthersAreStillRepaired() {
        List<String> repaired = new ArrayList<>();
        int count = RecoveryLoop.over(log, List.of("a", "b", "c", "d"), item -> "check item " + item, item -> {
            if (item.equals("b")) {
                throw new IllegalStateException("Temporal unreachable");
            }
            repaired.add(item);
            return !item.equals("d"); // d needed nothing
        });

        assertEquals(List.of("a", "c", "d"), repaired);
        assertEquals(2, count);
        assertEquals(1, logged.list.size());
        assertEquals(Level.WARN, logged.list.get(0).getLevel());
        assertEquals("Could not check item b: Temporal unreachable", logged.list.get(0).getFormattedMessage());
    }

    @Test
    void pagesAreReadAfterTheLastKeyUntilOneComesBackShort() {
        List<UUID> rows = ids(2 * RecoveryLoop.PAGE + 1);
        List<UUID> asked = new ArrayList<>();
        List<UUID> seen = new ArrayList<>();

        int count = RecoveryLoop.overPages(log, (after, limit) -> {
            asked.add(after);
            return rows.stream().filter(id -> id.compareTo(after) > 0).limit(limit).toList();
        }, id -> id, id -> "check " + id, id -> seen.add(id) && id.getLeastSignificantBits() % 2 == 0);

        assertEquals(List.of(new UUID(0L, 0L), rows.get(RecoveryLoop.PAGE - 1), rows.get(2 * RecoveryLoop.PAGE - 1)), asked);
        assertEquals(rows, seen);
        assertEquals(RecoveryLoop.PAGE, count);
    }

    @Test
    void aFullLastPageIsFollowedByOneEmptyQuery() {
        List<UUID> rows = ids(RecoveryLoop.PAGE);
        List<UUID> asked = new ArrayList<>();

        int count = RecoveryLoop.overPages(log, (after, limit) -> {
            asked.add(after);
            return rows.stream().filter(id -> id.compareTo(after) > 0).limit(limit).toList();
        }, id -> id, id -> "check " + id, id -> true);

        assertEquals(List.of(new UUID(0L, 0L), rows.get(RecoveryLoop.PAGE - 1)), asked);
        assertEquals(RecoveryLoop.PAGE, count);
        assertEquals(List.of(), logged.list);
    }
}
