package io.cloudplane.infra.release;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.util.List;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface PromotionRepository extends CrudRepository<PromotionRecord, UUID> {

    /** Newest first, those after (older than) the position (beforeAt, beforeId): one page of the list. */
    @Query("""
            SELECT * FROM promotions WHERE app_id = :appId AND (created_at, id) < (:beforeAt, :beforeId)
            ORDER BY created_at DESC, id DESC LIMIT :limit""")
    List<PromotionRecord> findPage(UUID appId, java.time.Instant beforeAt, UUID beforeId, int limit);

    @Query("""
            SELECT * FROM promotions WHERE status IN ('DEPLOYING_STAGING', 'AWAITING_APPROVAL', 'DEPLOYING_PRODUCTION')
            AND updated_at < :before ORDER BY created_at LIMIT 500""")
    List<PromotionRecord> findUnfinished(java.time.Instant before);

    /** The app's unfinished promotion, if one is under way (at most one: promotions_one_active_per_app). */
    @Query("""
            SELECT * FROM promotions WHERE app_id = :appId
            AND status IN ('DEPLOYING_STAGING', 'AWAITING_APPROVAL', 'DEPLOYING_PRODUCTION')""")
    java.util.Optional<PromotionRecord> findUnfinishedOf(UUID appId);

    @Query("""
            UPDATE promotions SET status = 'FAILED', error = :error, updated_at = :at
            WHERE id = :id AND status IN ('DEPLOYING_STAGING', 'AWAITING_APPROVAL', 'DEPLOYING_PRODUCTION')""")
    int failUnfinished(UUID id, String error, java.time.Instant at);
}
