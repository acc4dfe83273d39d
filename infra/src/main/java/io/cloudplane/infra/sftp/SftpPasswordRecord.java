package io.cloudplane.infra.sftp;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

/** A short-lived SFTP password of one person for one environment (table {@code sftp_passwords}): only its SHA-256. */
@MappedEntity("sftp_passwords")
public record SftpPasswordRecord(@Id UUID id, UUID userId, UUID envId, String passwordSha256, Instant createdAt, Instant expiresAt) {
}
