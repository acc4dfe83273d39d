package io.cloudplane.infra.sftp;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface SftpPasswordRepository extends CrudRepository<SftpPasswordRecord, UUID> {

    /** The unexpired passwords of a person for an environment (compare their hashes in constant time). */
    @Query("SELECT * FROM sftp_passwords WHERE user_id = :userId AND env_id = :envId AND expires_at > :now")
    List<SftpPasswordRecord> findLive(UUID userId, UUID envId, Instant now);

    @Query("DELETE FROM sftp_passwords WHERE expires_at < :now")
    int deleteExpired(Instant now);
}
