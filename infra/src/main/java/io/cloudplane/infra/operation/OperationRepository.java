package io.cloudplane.infra.operation;

import io.cloudplane.workflows.operation.OperationStatus;
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
public interface OperationRepository extends CrudRepository<OperationRecord, UUID> {

    @Query("SELECT * FROM operations WHERE env_id = :envId AND status IN ('PENDING', 'RUNNING') LIMIT 1")
    Optional<OperationRecord> findActiveForEnvironment(UUID envId);

    @Query("SELECT * FROM operations WHERE app_id = :appId AND status IN ('PENDING', 'RUNNING') ORDER BY created_at LIMIT 1")
    Optional<OperationRecord> findActiveForApp(UUID appId);

    @Query("SELECT * FROM operations WHERE app_id = :appId AND status IN ('PENDING', 'RUNNING') ORDER BY created_at")
    List<OperationRecord> findUnfinishedForApp(UUID appId);

    /** The app's last SUCCEEDED operation of a kind (its name), by when it ended. */
    @Query("SELECT * FROM operations WHERE app_id = :appId AND type = :type AND status = 'SUCCEEDED' ORDER BY updated_at DESC LIMIT 1")
    Optional<OperationRecord> findLastSucceeded(UUID appId, String type);

    /** The app's first operation on one of its environments: for an environment's ID once its row is gone. */
    @Query("SELECT * FROM operations WHERE app_id = :appId AND env_id IS NOT NULL ORDER BY created_at LIMIT 1")
    Optional<OperationRecord> findFirstOnAnEnvironment(UUID appId);

    @Query("SELECT * FROM operations WHERE status IN ('PENDING', 'RUNNING') ORDER BY created_at")
    List<OperationRecord> findUnfinished();

    /** Every running (or pending) and failed operation across Cloudplane, newest first, at most {@code limit}: the operator's page. */
    @Query("SELECT * FROM operations WHERE status IN ('PENDING', 'RUNNING', 'FAILED') ORDER BY created_at DESC LIMIT :limit")
    List<OperationRecord> findRunningOrFailed(int limit);

    /** Progress from the workflow; a finished operation is never moved back to running. */
    @Query("""
            UPDATE operations SET status = :status, run_id = :runId, steps = :steps, error = :error, updated_at = :at
            WHERE id = :id AND status NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED')""")
    int recordProgress(UUID id, OperationStatus status, @Nullable String runId, String steps, @Nullable String error, Instant at);

    @Query("UPDATE operations SET status = :status, error = :error, updated_at = :at WHERE id = :id AND status IN ('PENDING', 'RUNNING')")
    int finish(UUID id, OperationStatus status, @Nullable String error, Instant at);
}
