package io.cloudplane.infra.team;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface InvitationRepository extends CrudRepository<InvitationRecord, UUID> {

    Optional<InvitationRecord> findByTokenSha256(String tokenSha256);

    @Query("SELECT * FROM invitations WHERE env_id = :envId AND status = 'PENDING' ORDER BY created_at, id")
    List<InvitationRecord> findPending(UUID envId);

    /** Pending invitations, by ID after {@code after}: a page of the recovery's keyset pass. */
    @Query("SELECT * FROM invitations WHERE status = 'PENDING' AND id > :after ORDER BY id LIMIT :limit")
    List<InvitationRecord> findPendingPage(UUID after, int limit);

    @Query("SELECT count(*) > 0 FROM invitations WHERE env_id = :envId AND lower(email) = lower(:email) AND status = 'PENDING'")
    boolean existsPending(UUID envId, String email);

    /**
     * Holds the app's invitations for the rest of the transaction (a PostgreSQL advisory lock), so that
     * two invitations sent at once are counted one after the other against the daily limit.
     */
    @Query("SELECT count(*) > 0 FROM (SELECT pg_advisory_xact_lock(hashtextextended('invitations/' || CAST(:appId AS text), 0))) l")
    boolean lockAppInvitations(UUID appId);

    /** The app's invitations made since {@code since}, oldest first (their times: the rate limit's window). */
    @Query("SELECT created_at FROM invitations WHERE app_id = :appId AND created_at > :since ORDER BY created_at")
    List<Instant> findCreatedSince(UUID appId, Instant since);

    /** The new token's digest, once the email that carries it is about to go: only while pending with this expiry. */
    @Query("UPDATE invitations SET token_sha256 = :tokenSha256 WHERE id = :id AND status = 'PENDING' AND expires_at = :expiresAt")
    long setToken(UUID id, Instant expiresAt, String tokenSha256);

    /** A resend: the old token stops working at once (the workflow's email brings the new one), a new expiry. */
    @Query("""
            UPDATE invitations SET token_sha256 = :unusableSha256, expires_at = :expiresAt, resent = resent + 1
             WHERE id = :id AND status = 'PENDING'""")
    long resend(UUID id, Instant expiresAt, String unusableSha256);

    /** Closes a pending invitation (ACCEPTED by someone, REVOKED); 0 when it was not pending any more. */
    @Query("""
            UPDATE invitations SET status = :status, accepted_by = :acceptedBy, closed_at = :at
             WHERE id = :id AND status = 'PENDING'""")
    long close(UUID id, String status, @io.micronaut.core.annotation.Nullable UUID acceptedBy, Instant at);

    /** EXPIRED, only if still pending with that expiry: 1 when this call expired it. */
    @Query("UPDATE invitations SET status = 'EXPIRED', closed_at = :at WHERE id = :id AND status = 'PENDING' AND expires_at = :expiresAt")
    long expire(UUID id, Instant expiresAt, Instant at);
}
