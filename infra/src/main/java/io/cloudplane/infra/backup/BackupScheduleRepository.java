package io.cloudplane.infra.backup;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.util.List;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface BackupScheduleRepository extends CrudRepository<BackupScheduleRecord, UUID> {
    @Query("SELECT * FROM backup_schedules WHERE env_id > :after ORDER BY env_id LIMIT :limit")
    List<BackupScheduleRecord> findPage(UUID after, int limit);
}
