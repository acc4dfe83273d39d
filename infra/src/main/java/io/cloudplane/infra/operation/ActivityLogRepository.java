package io.cloudplane.infra.operation;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface ActivityLogRepository extends CrudRepository<ActivityLogRecord, Long> {

    /** Newest first; {@code before} is the cursor: the id of the last entry of the previous page. */
    @Query("SELECT * FROM activity_log WHERE env_id = :envId AND id < :before ORDER BY id DESC LIMIT :limit")
    List<ActivityLogRecord> findPage(UUID envId, long before, int limit);

    /** Idempotent: an operation's entry is written once however often its report is retried. */
    @Query("""
            INSERT INTO activity_log (app_id, env_id, action, actor_user_id, outcome, detail, operation_id, created_at)
            VALUES (:appId, :envId, :action, :actorUserId, :outcome, :detail, :operationId, :createdAt)
            ON CONFLICT (operation_id) WHERE operation_id IS NOT NULL DO NOTHING""")
    void appendOnce(UUID appId, UUID envId, String action, @Nullable UUID actorUserId, String outcome, @Nullable String detail,
                    @Nullable UUID operationId, Instant createdAt);
}
