package io.cloudplane.infra.domain;

import io.cloudplane.workflows.domain.DomainStatus;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.time.Instant;
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

    // The domain workflow's conditional updates (issue 15): each changes the row only in the state it
    // expects, so that a retried activity, or one racing the API (an upload, a deletion), changes nothing twice.

    @Query("UPDATE domains SET last_checked_at = :at, last_check_result = :result, updated_at = :at WHERE id = :id")
    int recordCheck(java.util.UUID id, Instant at, String result);

    @Query("UPDATE domains SET status = 'VERIFIED', verified_at = :at, failure_reason = NULL, updated_at = :at"
            + " WHERE id = :id AND status = 'PENDING_VERIFICATION'")
    int markVerified(java.util.UUID id, Instant at);

    @Query("UPDATE domains SET status = 'PENDING_VERIFICATION', failure_reason = NULL, updated_at = :at"
            + " WHERE id = :id AND status = 'FAILED' AND certificate_chain_pem IS NULL")
    int restartVerification(java.util.UUID id, Instant at);

    @Query("UPDATE domains SET status = 'FAILED', failure_reason = :reason, updated_at = :at"
            + " WHERE id = :id AND certificate_chain_pem IS NULL")
    int markFailed(java.util.UUID id, String reason, Instant at);

    @Query("UPDATE domains SET status = 'ISSUING', updated_at = :at"
            + " WHERE id = :id AND status IN ('VERIFIED', 'ISSUING') AND certificate_chain_pem IS NULL")
    int markIssuing(java.util.UUID id, Instant at);

    @Query("UPDATE domains SET status = 'RENEWING', updated_at = :at"
            + " WHERE id = :id AND certificate_source = 'ACME' AND certificate_installed_at = :installedAt")
    int markRenewing(java.util.UUID id, Instant installedAt, Instant at);

    /** Stores a first certificate issued over ACME if the row still wants it: no certificate yet, ISSUING. */
    @Query("UPDATE domains SET certificate_source = 'ACME', certificate_chain_pem = :chainPem, certificate_key_sealed = :keySealed,"
            + " certificate_issuer = :issuer, certificate_not_before = :notBefore, certificate_not_after = :notAfter,"
            + " certificate_installed_at = :at, renewal_failing_since = NULL, renewal_failure = NULL, failure_reason = NULL, updated_at = :at"
            + " WHERE id = :id AND certificate_chain_pem IS NULL AND status = 'ISSUING'")
    int installIssued(java.util.UUID id, String chainPem, String keySealed, String issuer, Instant notBefore, Instant notAfter,
                      Instant at);

    /** Stores a renewed certificate if the row still serves the ACME certificate installed at {@code replacing}. */
    @Query("UPDATE domains SET certificate_chain_pem = :chainPem, certificate_key_sealed = :keySealed,"
            + " certificate_issuer = :issuer, certificate_not_before = :notBefore, certificate_not_after = :notAfter,"
            + " certificate_installed_at = :at, renewal_failing_since = NULL, renewal_failure = NULL, failure_reason = NULL, updated_at = :at"
            + " WHERE id = :id AND certificate_source = 'ACME' AND certificate_installed_at = :replacing")
    int installRenewed(java.util.UUID id, Instant replacing, String chainPem, String keySealed, String issuer, Instant notBefore,
                       Instant notAfter, Instant at);

    /** Stores an uploaded certificate on a domain whose DNS was verified (it replaces any other). */
    @Query("UPDATE domains SET certificate_source = 'UPLOADED', certificate_chain_pem = :chainPem, certificate_key_sealed = :keySealed,"
            + " certificate_issuer = :issuer, certificate_not_before = :notBefore, certificate_not_after = :notAfter,"
            + " certificate_installed_at = :at, renewal_failing_since = NULL, renewal_failure = NULL, failure_reason = NULL, updated_at = :at"
            + " WHERE id = :id AND verified_at IS NOT NULL")
    int installUploaded(java.util.UUID id, String chainPem, String keySealed, String issuer, Instant notBefore, Instant notAfter,
                        Instant at);

    @Query("UPDATE domains SET renewal_failing_since = COALESCE(renewal_failing_since, :at), renewal_failure = :reason, updated_at = :at"
            + " WHERE id = :id AND certificate_installed_at = :installedAt")
    int recordRenewalFailure(java.util.UUID id, Instant installedAt, String reason, Instant at);

    @Query("UPDATE domains SET status = 'ACTIVE', failure_reason = NULL, updated_at = :at"
            + " WHERE id = :id AND certificate_chain_pem IS NOT NULL AND status <> 'ACTIVE'")
    int markActive(java.util.UUID id, Instant at);

    @Query("UPDATE domains SET expiry_notice_for = :notAfter WHERE id = :id AND certificate_not_after = :notAfter")
    int markExpiryNotice(java.util.UUID id, Instant notAfter);

    /** A page of every domain (the recovery's pass over them), by ID after {@code after}. */
    @Query("SELECT * FROM domains WHERE id > :after ORDER BY id LIMIT :limit")
    List<DomainRecord> findPage(java.util.UUID after, int limit);
}
