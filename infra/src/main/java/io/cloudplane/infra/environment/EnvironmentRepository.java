package io.cloudplane.infra.environment;

import io.cloudplane.workflows.environment.EnvironmentStatus;
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
public interface EnvironmentRepository extends CrudRepository<EnvironmentRecord, UUID> {

    @Query("SELECT * FROM environments WHERE app_id = :appId ORDER BY created_at, id")
    List<EnvironmentRecord> findByAppId(UUID appId);


    @Query("SELECT * FROM environments WHERE status = :status ORDER BY created_at")
    List<EnvironmentRecord> findByStatus(EnvironmentStatus status);

    @Query("SELECT count(*) > 0 FROM environments WHERE app_id = :appId AND lower(name) = lower(:name)")
    boolean existsByAppAndName(UUID appId, String name);

    @Query("UPDATE environments SET status = :status, status_reason = :reason, updated_at = :at WHERE id = :id")
    void updateStatus(UUID id, EnvironmentStatus status, @Nullable String reason, Instant at);

    /** Marks a server death, unless something else (a stop, a delete) already moved the status on. */
    @Query("UPDATE environments SET status = 'FAILED', status_reason = :reason, updated_at = :at WHERE id = :id AND status = 'RUNNING'")
    int markFailedIfRunning(UUID id, String reason, Instant at);

    @Query("UPDATE environments SET port = :port, preview_url = :previewUrl, updated_at = :at WHERE id = :id")
    void updateEndpoint(UUID id, @Nullable Integer port, @Nullable String previewUrl, Instant at);

    /** An update's switch: the new version, where its server serves, and RUNNING, in one statement. */
    @Query("""
            UPDATE environments SET server_version = :version, port = :port, preview_url = :previewUrl, status = 'RUNNING',
            status_reason = NULL, updated_at = :at WHERE id = :id""")
    void switchServer(UUID id, String version, @Nullable Integer port, @Nullable String previewUrl, Instant at);

    /** An abandoned update: the version and endpoint the environment is back on; the status is left to the caller. */
    @Query("UPDATE environments SET server_version = :version, port = :port, preview_url = :previewUrl, updated_at = :at WHERE id = :id")
    void revertServer(UUID id, String version, @Nullable Integer port, @Nullable String previewUrl, Instant at);

    /** Back to RUNNING, only if still UPDATING (an update that ended before it touched the server). */
    @Query("UPDATE environments SET status = 'RUNNING', status_reason = NULL, updated_at = :at WHERE id = :id AND status = 'UPDATING'")
    int runningAgainIfUpdating(UUID id, Instant at);

    /** FAILED with the reason if the environment is still in the middle of an action (whose workflow is gone). */
    @Query("""
            UPDATE environments SET status = 'FAILED', status_reason = :reason, updated_at = :at
            WHERE id = :id AND status IN ('PROVISIONING', 'UPDATING', 'DEPLOYING', 'RESTORING', 'DELETING')""")
    int failIfInTransition(UUID id, String reason, Instant at);

    @Query("UPDATE environments SET last_studio_access_at = :at WHERE id = :id")
    void recordStudioAccess(UUID id, Instant at);

    @Query("SELECT last_studio_access_at FROM environments WHERE id = :id")
    Optional<Instant> findLastStudioAccess(UUID id);

    @Query("UPDATE environments SET access = :access, updated_at = :at WHERE id = :id")
    void updateAccess(UUID id, String access, Instant at);

    Optional<EnvironmentRecord> findByHostLabel(String hostLabel);

    /** Sets the sealed password only once, so that a retried activity keeps the first one. */
    @Query("UPDATE environments SET db_password = :sealed WHERE id = :id AND db_password IS NULL")
    int setDbPasswordIfAbsent(UUID id, String sealed);

    /** An SFTP session changed the environment's code tree in place (V24): a release made from it packs the tree. */
    @Query("UPDATE environments SET code_changed_at = :at WHERE id = :id")
    void markCodeChanged(UUID id, java.time.Instant at);

    /** When an SFTP session last changed the environment's code tree in place, if ever. */
    @Query("SELECT code_changed_at FROM environments WHERE id = :id")
    java.util.Optional<java.time.Instant> findCodeChangedAt(UUID id);
}
