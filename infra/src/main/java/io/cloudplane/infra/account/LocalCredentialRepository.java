package io.cloudplane.infra.account;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.time.Instant;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface LocalCredentialRepository extends CrudRepository<LocalCredentialRecord, UUID> {
    @Query("UPDATE local_credentials SET failed_attempts = :failedAttempts, locked_until = :lockedUntil WHERE user_id = :userId")
    void updateAttempts(UUID userId, int failedAttempts, @Nullable Instant lockedUntil);
}
