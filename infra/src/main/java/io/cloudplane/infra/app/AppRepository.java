package io.cloudplane.infra.app;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface AppRepository extends CrudRepository<AppRecord, UUID> {

    /** Apps where the user is a member (owner or developer) or an end user of one environment. */
    @Query("""
            SELECT a.* FROM apps a WHERE a.id IN (
              SELECT m.app_id FROM app_members m WHERE m.user_id = :userId
              UNION
              SELECT e.app_id FROM environment_users u JOIN environments e ON e.id = u.env_id WHERE u.user_id = :userId)
            ORDER BY a.created_at, a.id""")
    List<AppRecord> findVisibleTo(UUID userId);

    @Query("SELECT count(*) > 0 FROM apps WHERE owner_id = :ownerId AND lower(name) = lower(:name)")
    boolean existsByOwnerAndName(UUID ownerId, String name);

    @Query("SELECT * FROM apps WHERE kind = 'SANDBOX' AND status = 'ACTIVE' AND id > :after ORDER BY id LIMIT :limit")
    List<AppRecord> findActiveSandboxes(UUID after, int limit);

    /** Sandboxes, also those being deleted (a deletion the lifecycle began is carried on by the lifecycle). */
    @Query("SELECT * FROM apps WHERE kind = 'SANDBOX' AND id > :after ORDER BY id LIMIT :limit")
    List<AppRecord> findSandboxes(UUID after, int limit);

    @Query("SELECT * FROM apps WHERE owner_id = :ownerId AND kind = 'SANDBOX'")
    java.util.Optional<AppRecord> findSandboxOf(UUID ownerId);

    /** The app's new owner (an ownership transfer); fails on the unique (owner, lower(name)) when they have an app of that name. */
    @Query("UPDATE apps SET owner_id = :ownerId, updated_at = :updatedAt WHERE id = :id")
    int updateOwner(UUID id, UUID ownerId, Instant updatedAt);

    @Query("UPDATE apps SET status = :status, updated_at = :updatedAt WHERE id = :id")
    void updateStatus(UUID id, AppRecord.AppStatus status, Instant updatedAt);
}
