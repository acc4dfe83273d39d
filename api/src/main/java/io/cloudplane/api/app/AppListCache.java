package io.cloudplane.api.app;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cloudplane.infra.app.AppListChanges;
import jakarta.inject.Singleton;

import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Each user's apps list as {@code GET /api/v1/apps} answers it, serialized, kept until a row it was
 * built from changes: the API's hottest read then costs neither a query nor a serialization while
 * nothing changed (issue 12: a user with 100 apps at 0.5× of a bare endpoint).
 *
 * <p>A list is kept with the {@link AppListChanges#generation() generation} read <em>before</em> it
 * was read from the database, and served only while the generation is still that one. Any change
 * to the rows behind the lists, by any process, moves the generation when PostgreSQL delivers its
 * notification; a change made through this process's API moves it before the response of the call
 * that made it leaves ({@link AppListInvalidation}), so a caller always reads what it just wrote.
 * While notifications cannot be heard, nothing is kept or served from here. The list is not where
 * access is decided: every request on an app checks the caller's role in it again.
 */
@Singleton
public class AppListCache {
    private static final int ENTRY_OVERHEAD_BYTES = 96;

    private final AppListChanges changes;
    private final boolean enabled;
    private final Cache<UUID, Entry> lists;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder bypasses = new LongAdder();

    private record Entry(long generation, byte[] json) {
    }

    /** How often a list was served from here, read and kept, or read without being kept. */
    public record Counts(long hits, long misses, long bypasses) {
    }

    public AppListCache(AppListChanges changes, AppListCacheSettings settings) {
        this.changes = changes;
        this.enabled = settings.enabled() && settings.maxBytes() > 0;
        this.lists = Caffeine.newBuilder()
                .maximumWeight(settings.maxBytes())
                .weigher((UUID user, Entry e) -> e.json().length + ENTRY_OVERHEAD_BYTES)
                .build();
    }

    /** The user's list, from here if nothing it was built from changed since, else from {@code read}. */
    public byte[] get(UUID userId, Supplier<byte[]> read) {
        if (!enabled) {
            return read.get();
        }
        long generation = changes.generation();
        if (generation == AppListChanges.UNKNOWN) {
            bypasses.increment();
            return read.get();
        }
        Entry kept = lists.getIfPresent(userId);
        if (kept != null && kept.generation() == generation) {
            hits.increment();
            return kept.json();
        }
        misses.increment();
        byte[] json = read.get();
        lists.put(userId, new Entry(generation, json));
        return json;
    }

    public Counts counts() {
        return new Counts(hits.sum(), misses.sum(), bypasses.sum());
    }
}
