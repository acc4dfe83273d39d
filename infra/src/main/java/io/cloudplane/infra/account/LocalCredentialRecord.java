package io.cloudplane.infra.account;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

@MappedEntity("local_credentials")
public record LocalCredentialRecord(@Id UUID userId, String passwordHash, int failedAttempts, @Nullable Instant lockedUntil) {
}
