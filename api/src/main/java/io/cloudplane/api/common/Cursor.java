package io.cloudplane.api.common;

import io.cloudplane.api.problem.ApiException;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import io.cloudplane.infra.persistence.Listed;

import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import java.util.UUID;

/**
 * A position in a list ordered newest first by (createdAt, id): the last item of a page, opaque to
 * callers (base64url of "micros:id"). {@link #FIRST} is before everything.
 */
public record Cursor(Instant createdAt, UUID id) {
    public static final Cursor FIRST = new Cursor(Instant.parse("9999-12-31T00:00:00Z"), new UUID(-1L, -1L));

    /** The cursor of a request: FIRST when absent, 400 naming {@code cursor} when not one this API gave. */
    static Cursor parse(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return FIRST;
        }
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(":", 2);
            long micros = Long.parseLong(parts[0]);
            return new Cursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), UUID.fromString(parts[1]));
        } catch (RuntimeException e) {
            throw ApiException.badRequest("cursor", "not a cursor from a previous page");
        }
    }

    /** A page and the cursor to the next one (null on the last page). */
    public record Paged<V>(List<V> items, String nextCursor) {
    }

    /** Reads the rows older than (beforeAt, beforeId), newest first, at most {@code limit}. */
    @FunctionalInterface
    public interface Query<R> {
        List<R> rows(Instant beforeAt, UUID beforeId, int limit);
    }

    /**
     * The page of a list request: {@code limit} rows (50 when not given) after {@code cursor}, read with
     * one row more, which only tells that there is a next page.
     */
    public static <R extends Listed, V> Paged<V> page(String cursor, Integer limit, Query<R> query, Function<R, V> view) {
        Cursor after = parse(cursor);
        int size = limit == null ? 50 : limit;
        List<R> rows = query.rows(after.createdAt(), after.id(), size + 1);
        List<R> page = rows.size() > size ? rows.subList(0, size) : rows;
        String next = null;
        if (rows.size() > size) {
            R last = page.get(page.size() - 1);
            next = of(last.createdAt(), last.id());
        }
        return new Paged<>(page.stream().map(view).toList(), next);
    }

    static String of(Instant createdAt, UUID id) {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt);
        return Base64.getUrlEncoder().withoutPadding().encodeToString((micros + ":" + id).getBytes(StandardCharsets.UTF_8));
    }
}
