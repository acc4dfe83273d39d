package io.cloudplane.infra.account;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

@MappedEntity("users")
public record UserRecord(@Id UUID id, String email, String firstName, String lastName, Instant createdAt) {
}
