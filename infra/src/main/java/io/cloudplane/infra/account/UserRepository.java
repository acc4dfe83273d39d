package io.cloudplane.infra.account;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.util.Optional;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface UserRepository extends CrudRepository<UserRecord, UUID> {
    @Query("SELECT * FROM users WHERE lower(email) = lower(:email)")
    Optional<UserRecord> findByEmailIgnoringCase(String email);
}
