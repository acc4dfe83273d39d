package io.cloudplane.infra.account;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface ApiTokenRepository extends CrudRepository<ApiTokenRecord, UUID> {
    Optional<ApiTokenRecord> findByTokenHash(String tokenHash);

    @Query("SELECT * FROM api_tokens WHERE user_id = :userId ORDER BY created_at, id")
    List<ApiTokenRecord> findByUser(UUID userId);

    @Query("UPDATE api_tokens SET last_used_at = :at WHERE id = :id")
    void touch(UUID id, Instant at);
}
