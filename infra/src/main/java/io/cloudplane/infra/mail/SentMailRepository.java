package io.cloudplane.infra.mail;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.time.Instant;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface SentMailRepository extends GenericRepository<SentMailRepository.Placeholder, String> {

    @Query("SELECT count(*) > 0 FROM sent_mail WHERE mail_key = :key")
    boolean wasSent(String key);

    /** Whether a mail whose key starts with {@code prefix} was sent (a prefix without LIKE's wildcards). */
    @Query("SELECT count(*) > 0 FROM sent_mail WHERE starts_with(mail_key, :prefix)")
    boolean wasSentWithPrefix(String prefix);

    @Query("INSERT INTO sent_mail (mail_key, sent_at) VALUES (:key, :at) ON CONFLICT DO NOTHING")
    void markSent(String key, Instant at);

    @io.micronaut.data.annotation.MappedEntity("sent_mail")
    record Placeholder(@io.micronaut.data.annotation.Id String mailKey, Instant sentAt) {
    }
}
