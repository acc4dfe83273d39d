package io.cloudplane.infra.team;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.time.Instant;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface AppTransferRepository extends CrudRepository<AppTransferRecord, UUID> {

    /** One offer per app: a new one replaces the pending one. */
    @Query("""
            INSERT INTO app_transfers (app_id, to_user_id, requested_by, requested_at) VALUES (:appId, :toUserId, :requestedBy, :requestedAt)
            ON CONFLICT (app_id) DO UPDATE SET to_user_id = excluded.to_user_id, requested_by = excluded.requested_by,
                requested_at = excluded.requested_at""")
    void offer(UUID appId, UUID toUserId, UUID requestedBy, Instant requestedAt);

    /**
     * Deletes the offer made to that person: their accept claims it (1 for the one caller that does),
     * and a developer removed from the app loses it.
     */
    @Query("DELETE FROM app_transfers WHERE app_id = :appId AND to_user_id = :userId")
    int deleteOffer(UUID appId, UUID userId);
}
