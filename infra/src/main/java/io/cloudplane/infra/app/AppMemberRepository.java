package io.cloudplane.infra.app;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface AppMemberRepository extends CrudRepository<AppMemberRecord, AppMemberRecord.Key> {

    @Query("UPDATE app_members SET profile = :profile WHERE app_id = :appId AND user_id = :userId")
    int updateProfile(UUID appId, UUID userId, @Nullable String profile);

    @Query("UPDATE app_members SET role = :role WHERE app_id = :appId AND user_id = :userId")
    int updateRole(UUID appId, UUID userId, AppMemberRecord.Role role);
}
