package io.cloudplane.infra.domain;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;

/**
 * An HTTP-01 challenge under way (table {@code acme_challenges}): the gateway answers
 * {@code GET /.well-known/acme-challenge/<token>} on {@code hostname} with {@code keyAuthorization}
 * (as {@code text/plain}) until {@code expiresAt}. Written by the ACME client before it triggers the
 * challenge, deleted once the authority decided.
 */
@MappedEntity("acme_challenges")
public record AcmeChallengeRecord(@Id String token, String hostname, String keyAuthorization, Instant expiresAt) {
    public static final String PATH_PREFIX = "/.well-known/acme-challenge/";
}
