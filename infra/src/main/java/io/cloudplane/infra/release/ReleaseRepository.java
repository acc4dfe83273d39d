package io.cloudplane.infra.release;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface ReleaseRepository extends CrudRepository<ReleaseRecord, UUID> {

    @Query("SELECT * FROM releases WHERE app_id = :appId ORDER BY created_at DESC, id")
    List<ReleaseRecord> findByAppNewestFirst(UUID appId);

    /** Newest first, those after (older than) the position (beforeAt, beforeId): one page of the list. */
    @Query("""
            SELECT * FROM releases WHERE app_id = :appId AND (created_at, id) < (:beforeAt, :beforeId)
            ORDER BY created_at DESC, id DESC LIMIT :limit""")
    List<ReleaseRecord> findPage(UUID appId, java.time.Instant beforeAt, UUID beforeId, int limit);

    @Query("SELECT * FROM releases WHERE app_id = :appId AND lower(name) = lower(:name)")
    Optional<ReleaseRecord> findByAppAndName(UUID appId, String name);

    @Query("UPDATE releases SET status = 'READY', sha256 = :sha256, size_bytes = :size, error = NULL WHERE id = :id AND status = 'CREATING'")
    int markReady(UUID id, String sha256, long size);

    @Query("UPDATE releases SET status = 'FAILED', error = :error WHERE id = :id AND status = 'CREATING'")
    int markFailed(UUID id, @Nullable String error);

    /** Locks the release: from now on it cannot be deleted. */
    @Query("UPDATE releases SET first_deployed_at = coalesce(first_deployed_at, :at) WHERE id = :id")
    int lock(UUID id, Instant at);

    /** Deletes the release only while nothing has deployed it; returns 0 otherwise. */
    @Query("DELETE FROM releases WHERE id = :id AND first_deployed_at IS NULL")
    int deleteIfUnlocked(UUID id);
}
