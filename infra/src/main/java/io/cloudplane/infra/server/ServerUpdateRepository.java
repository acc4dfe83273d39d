package io.cloudplane.infra.server;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface ServerUpdateRepository extends CrudRepository<ServerUpdateRecord, UUID> {

    /** Newest first, those after (older than) the position (beforeAt, beforeId): one page of the history. */
    @Query("""
            SELECT * FROM server_updates WHERE env_id = :envId AND (created_at, id) < (:beforeAt, :beforeId)
            ORDER BY created_at DESC, id DESC LIMIT :limit""")
    List<ServerUpdateRecord> findPage(UUID envId, Instant beforeAt, UUID beforeId, int limit);

    /** PENDING to RUNNING once; a retried begin changes nothing. */
    @Query("UPDATE server_updates SET status = 'RUNNING', started_at = :at WHERE id = :id AND status = 'PENDING'")
    int markRunning(UUID id, Instant at);

    /** Records the outcome once: a finished update keeps its first outcome. */
    @Query("""
            UPDATE server_updates SET status = :status, error = :error, rolled_back = :rolledBack, finished_at = :at
            WHERE id = :id AND status IN ('PENDING', 'RUNNING')""")
    int finish(UUID id, ServerUpdateRecord.Status status, @Nullable String error, boolean rolledBack, Instant at);
}
