package io.cloudplane.infra.team;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface MembershipSyncRepository extends CrudRepository<MembershipSyncRecord, MembershipSyncRecord.Key> {

    /** In the transaction of the change: the person's declaration must be brought in line. */
    @Query("""
            INSERT INTO membership_syncs (app_id, user_id, requested_at) VALUES (:appId, :userId, :requestedAt)
            ON CONFLICT (app_id, user_id) DO UPDATE SET requested_at = excluded.requested_at""")
    void request(UUID appId, UUID userId, Instant requestedAt);

    /** The workflow was signalled: forget the request, unless a later change asked again meanwhile. */
    @Query("DELETE FROM membership_syncs WHERE app_id = :appId AND user_id = :userId AND requested_at <= :upTo")
    void handed(UUID appId, UUID userId, Instant upTo);

    /** Requests older than {@code before} (their process died before signalling), oldest first. */
    @Query("SELECT * FROM membership_syncs WHERE requested_at < :before ORDER BY requested_at LIMIT :limit")
    List<MembershipSyncRecord> findLeftBefore(Instant before, int limit);
}
