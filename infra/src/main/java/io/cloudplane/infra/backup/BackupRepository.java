package io.cloudplane.infra.backup;

import io.cloudplane.workflows.backup.BackupStep;
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
public interface BackupRepository extends CrudRepository<BackupRecord, UUID> {

    @Query("SELECT * FROM backups WHERE env_id = :envId ORDER BY created_at DESC, id LIMIT :limit")
    List<BackupRecord> findNewestFirst(UUID envId, int limit);

    /** Newest first, those after (older than) the position (beforeAt, beforeId): one page of the list. */
    @Query("""
            SELECT * FROM backups WHERE env_id = :envId AND (created_at, id) < (:beforeAt, :beforeId)
            ORDER BY created_at DESC, id DESC LIMIT :limit""")
    List<BackupRecord> findPage(UUID envId, java.time.Instant beforeAt, UUID beforeId, int limit);

    @Query("SELECT * FROM backups WHERE env_id = :envId AND scheduled_for = :slot")
    Optional<BackupRecord> findBySlot(UUID envId, Instant slot);

    /** Manual backups not finished and created before {@code before}: candidates for a relaunch. */
    @Query("SELECT * FROM backups WHERE trigger = 'MANUAL' AND status NOT IN ('COMPLETED', 'FAILED') AND created_at < :before "
            + "ORDER BY created_at LIMIT 500")
    List<BackupRecord> findUnfinishedManual(Instant before);

    @Query("SELECT * FROM backups WHERE env_id = :envId AND scheduled_for IS NOT NULL ORDER BY scheduled_for DESC LIMIT 1")
    Optional<BackupRecord> findNewestScheduled(UUID envId);

    @Query("SELECT * FROM backups WHERE env_id = :envId AND scheduled_for >= :since ORDER BY scheduled_for")
    List<BackupRecord> findScheduledSince(UUID envId, Instant since);

    @Query("SELECT * FROM backups WHERE env_id = :envId AND status = 'COMPLETED' ORDER BY created_at DESC, id LIMIT 1")
    Optional<BackupRecord> findNewestCompleted(UUID envId);

    /** A step begins; a finished backup never moves again. */
    @Query("""
            UPDATE backups SET status = :status, started_at = coalesce(started_at, :at), updated_at = :at
            WHERE id = :id AND status NOT IN ('COMPLETED', 'FAILED')""")
    int markStep(UUID id, BackupRecord.Status status, Instant at);

    @Query("UPDATE backups SET size_bytes = :sizeBytes, manifest = :manifest, updated_at = :at WHERE id = :id")
    int recordManifest(UUID id, long sizeBytes, String manifest, Instant at);

    @Query("""
            UPDATE backups SET status = 'COMPLETED', verification = 'PASSED', verification_detail = :detail,
                finished_at = :at, updated_at = :at
            WHERE id = :id AND status NOT IN ('COMPLETED', 'FAILED')""")
    int complete(UUID id, String detail, Instant at);

    @Query("""
            UPDATE backups SET status = 'FAILED', failed_step = :step, error = :error,
                verification = :verification, verification_detail = :verificationDetail, finished_at = :at, updated_at = :at
            WHERE id = :id AND status NOT IN ('COMPLETED', 'FAILED')""")
    int fail(UUID id, BackupStep step, String error, @Nullable BackupRecord.Verification verification,
             @Nullable String verificationDetail, Instant at);
}
