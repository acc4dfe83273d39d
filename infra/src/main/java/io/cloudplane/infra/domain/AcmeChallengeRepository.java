package io.cloudplane.infra.domain;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.time.Instant;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface AcmeChallengeRepository extends CrudRepository<AcmeChallengeRecord, String> {

    /** The unexpired challenge with this token for this host: what the gateway answers, else 404. */
    @Query("SELECT * FROM acme_challenges WHERE token = :token AND hostname = :hostname AND expires_at > :now")
    Optional<AcmeChallengeRecord> findLive(String token, String hostname, Instant now);

    @Query("DELETE FROM acme_challenges WHERE expires_at < :now")
    int deleteExpired(Instant now);
}
