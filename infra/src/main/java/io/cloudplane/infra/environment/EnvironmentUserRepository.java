package io.cloudplane.infra.environment;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.util.List;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface EnvironmentUserRepository extends CrudRepository<EnvironmentUserRecord, EnvironmentUserRecord.Key> {
    @Query("SELECT u.env_id FROM environment_users u JOIN environments e ON e.id = u.env_id WHERE e.app_id = :appId AND u.user_id = :userId")
    List<UUID> findEnvironmentIds(UUID appId, UUID userId);

    @Query("UPDATE environment_users SET profile = :profile WHERE env_id = :envId AND user_id = :userId")
    int updateProfile(UUID envId, UUID userId, String profile);
}
