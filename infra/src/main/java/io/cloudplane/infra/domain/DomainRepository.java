package io.cloudplane.infra.domain;

import io.cloudplane.workflows.domain.DomainStatus;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Custom domains. Each change of a row notifies channel {@code environment_changed} (V23's trigger),
 * so gateways drop what they keep of it. Add the finders and conditional updates you need here
 * (additively: several features use this repository).
 */
@JdbcRepository(dialect = Dialect.POSTGRES)
public interface DomainRepository extends CrudRepository<DomainRecord, UUID> {

    Optional<DomainRecord> findByHostname(String hostname);

    List<DomainRecord> findByEnvIdOrderByCreatedAt(UUID envId);

    long countByEnvId(UUID envId);

    /** Every domain whose certificate the gateway serves ({@link DomainStatus#servesCertificate()}). */
    @Query("SELECT * FROM domains WHERE status IN ('ACTIVE', 'RENEWING') AND certificate_chain_pem IS NOT NULL")
    List<DomainRecord> findServing();

    List<DomainRecord> findByStatus(DomainStatus status);
}
