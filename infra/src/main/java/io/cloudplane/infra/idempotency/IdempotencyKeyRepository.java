package io.cloudplane.infra.idempotency;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface IdempotencyKeyRepository extends GenericRepository<IdempotencyKeyRecord, UUID> {

    /** Claims the key for a request about to run: 1 if claimed, 0 if the caller used it already. */
    @Query("""
            INSERT INTO idempotency_keys (id, caller, idempotency_key, request_sha256, created_at, locked_at)
            VALUES (:id, :caller, :key, :requestSha256, :at, :at)
            ON CONFLICT (caller, idempotency_key) DO NOTHING""")
    int claim(UUID id, String caller, String key, String requestSha256, Instant at);

    @Query("SELECT * FROM idempotency_keys WHERE caller = :caller AND idempotency_key = :key")
    Optional<IdempotencyKeyRecord> find(String caller, String key);

    /**
     * Claims a key whose first request never answered (its process died) since {@code abandonedBefore}:
     * 1 for the one retry that wins it.
     */
    @Query("""
            UPDATE idempotency_keys SET locked_at = :at
            WHERE id = :id AND response_status IS NULL AND locked_at < :abandonedBefore""")
    int takeOver(UUID id, Instant at, Instant abandonedBefore);

    @Query("""
            UPDATE idempotency_keys SET response_status = :status, response_content_type = :contentType,
                   response_location = :location, response_body = :body, locked_at = NULL
            WHERE id = :id""")
    void answer(UUID id, int status, @Nullable String contentType, @Nullable String location, @Nullable String body);

    /** Frees the key of a request that changed nothing (refused), so that a retry runs again. */
    @Query("DELETE FROM idempotency_keys WHERE id = :id")
    void release(UUID id);

    /** Forgets this one key if it is older than {@code before}: 1 if it was. */
    @Query("DELETE FROM idempotency_keys WHERE id = :id AND created_at < :before")
    int forgetIfOlder(UUID id, Instant before);

    /** Forgets every key older than {@code before}; returns how many. */
    @Query("DELETE FROM idempotency_keys WHERE created_at < :before")
    int forgetOlderThan(Instant before);
}
