package io.cloudplane.api.common;

import org.slf4j.Logger;

import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The pass every recovery job makes over the rows its query finds: each row is checked and, if it
 * needs it, repaired on its own, so that one that fails (Temporal unreachable, a row changed under
 * it) is logged with the job's logger and left to the job's next pass without holding up the rest.
 */
public final class RecoveryLoop {
    /** Rows per page of a keyset query. */
    public static final int PAGE = 500;

    private RecoveryLoop() {
    }

    /**
     * Runs {@code repair} on each item; it answers whether it repaired one. A failure is logged as
     * "Could not {@code what(item)}: reason". Returns how many items were repaired.
     */
    public static <T> int over(Logger log, Iterable<T> items, Function<T, String> what, Predicate<T> repair) {
        int repaired = 0;
        for (T item : items) {
            try {
                if (repair.test(item)) {
                    repaired++;
                }
            } catch (RuntimeException e) {
                log.warn("Could not {}: {}", what.apply(item), e.getMessage());
            }
        }
        return repaired;
    }

    /**
     * Like {@link #over}, over every page of a keyset query: {@code page} answers at most
     * {@code limit} rows whose {@code key} comes after the given one, in key order.
     */
    public static <T> int overPages(Logger log, BiFunction<UUID, Integer, List<T>> page, Function<T, UUID> key,
                                    Function<T, String> what, Predicate<T> repair) {
        int repaired = 0;
        UUID after = new UUID(0L, 0L); // PostgreSQL orders UUIDs as unsigned bytes: this is the lowest
        List<T> rows;
        do {
            rows = page.apply(after, PAGE);
            repaired += over(log, rows, what, repair);
            if (!rows.isEmpty()) {
                after = key.apply(rows.get(rows.size() - 1));
            }
        } while (rows.size() == PAGE);
        return repaired;
    }
}
