package io.cloudplane.infra.gateway;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.time.Instant;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface GatewaySessionRepository extends CrudRepository<GatewaySessionRecord, String> {

    @Query("DELETE FROM gateway_sessions WHERE expires_at < :now")
    int deleteExpired(Instant now);
}
