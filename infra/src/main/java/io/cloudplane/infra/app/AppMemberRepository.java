package io.cloudplane.infra.app;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.util.List;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface AppMemberRepository extends CrudRepository<AppMemberRecord, AppMemberRecord.Key> {

    /** Every app the user owns or develops, in one query (index app_members_user). */
    List<AppMemberRecord> findByKeyUserId(UUID userId);
}
