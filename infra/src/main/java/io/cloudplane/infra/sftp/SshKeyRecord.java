package io.cloudplane.infra.sftp;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;
import java.util.UUID;

/** A public key registered on an account (table {@code ssh_keys}, V24): {@code publicKey} is "type base64". */
@MappedEntity("ssh_keys")
public record SshKeyRecord(@Id UUID id, UUID userId, String name, String keyType, String publicKey, String fingerprint,
                           Instant createdAt, @Nullable Instant lastUsedAt) {
}
