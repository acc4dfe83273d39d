package io.cloudplane.infra.release;

import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface DeploymentRepository extends CrudRepository<DeploymentRecord, UUID> {

    /** Newest first, those after (older than) the position (beforeAt, beforeId): one page of the history. */
    @Query("""
            SELECT * FROM deployments WHERE env_id = :envId AND (created_at, id) < (:beforeAt, :beforeId)
            ORDER BY created_at DESC, id DESC LIMIT :limit""")
    List<DeploymentRecord> findPage(UUID envId, Instant beforeAt, UUID beforeId, int limit);

    @Query("SELECT * FROM deployments WHERE env_id = :envId AND status = 'SUCCEEDED' ORDER BY created_at DESC, id LIMIT 50")
    List<DeploymentRecord> findSucceededNewestFirst(UUID envId);

    /** Takes what ran before exactly once: a retried begin must not record the new code as the old. */
    @Query("""
            UPDATE deployments SET status = 'RUNNING', started_at = coalesce(started_at, :at),
                previous_release_id = :releaseId, previous_object_key = :objectKey, previous_sha256 = :sha256,
                previous_size_bytes = :size, previous_tree = :tree, previous_status = :envStatus
            WHERE id = :id AND status = 'PENDING'""")
    int begin(UUID id, @Nullable UUID releaseId, @Nullable String objectKey, @Nullable String sha256, @Nullable Long size,
              @Nullable String tree, EnvironmentStatus envStatus, Instant at);

    @Query("UPDATE deployments SET safety_backup_id = :backupId WHERE id = :id AND safety_backup_id IS NULL")
    int recordSafetyBackup(UUID id, UUID backupId);

    @Query("UPDATE deployments SET data_restored = true WHERE id = :id")
    int markDataRestored(UUID id);

    @Query("""
            UPDATE deployments SET status = :status, error = :error, finished_at = :at
            WHERE id = :id AND status IN ('PENDING', 'RUNNING')""")
    int finish(UUID id, DeploymentRecord.Status status, @Nullable String error, Instant at);
}
