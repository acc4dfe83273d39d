package io.cloudplane.infra.gateway;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.time.Instant;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface GatewayTicketRepository extends CrudRepository<GatewayTicketRecord, String> {

    /**
     * Uses the ticket read before: 1 for the one caller whose delete removed the unexpired row, so a
     * link signs in once, even when two requests race; 0 for every other.
     */
    @Query("DELETE FROM gateway_tickets WHERE token_sha256 = :tokenSha256 AND expires_at >= :now")
    int use(String tokenSha256, Instant now);

    @Query("DELETE FROM gateway_tickets WHERE expires_at < :now")
    int deleteExpired(Instant now);
}
