package io.cloudplane.infra.domain;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;

/**
 * Cloudplane's ACME account at one directory (table {@code acme_accounts}): its key pair as PEM,
 * sealed by {@link io.cloudplane.infra.crypto.SecretBox}, and the account's URL once the authority
 * made it. Made once, then reused, so that every order and renewal is the same account's.
 */
@MappedEntity("acme_accounts")
public record AcmeAccountRecord(@Id String directoryUrl, String keyPairSealed, @Nullable String accountUrl, Instant createdAt) {
}
