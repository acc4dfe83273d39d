package io.cloudplane.infra.sftp;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface SshKeyRepository extends CrudRepository<SshKeyRecord, UUID> {

    List<SshKeyRecord> findByUserIdOrderByCreatedAt(UUID userId);

    Optional<SshKeyRecord> findByFingerprint(String fingerprint);

    Optional<SshKeyRecord> findByIdAndUserId(UUID id, UUID userId);

    @Query("UPDATE ssh_keys SET last_used_at = :at WHERE id = :id")
    void markUsed(UUID id, Instant at);
}
