package io.cloudplane.api.idempotency;

import io.cloudplane.infra.config.CdsTraining;
import io.cloudplane.infra.idempotency.IdempotencyKeyRepository;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * Forgets the {@code Idempotency-Key}s older than the retention, every hour. A key found expired
 * by a retry before this runs is forgotten there and then ({@link IdempotencyFilter}), so the
 * retention holds to the request, and this only bounds the table.
 */
@Singleton
@Requires(notEnv = CdsTraining.ENVIRONMENT) // a training start does nothing but start
public class IdempotencyKeyPurge {
    private static final Logger LOG = LoggerFactory.getLogger(IdempotencyKeyPurge.class);
    private final IdempotencyKeyRepository keys;
    private final IdempotencySettings settings;

    public IdempotencyKeyPurge(IdempotencyKeyRepository keys, IdempotencySettings settings) {
        this.keys = keys;
        this.settings = settings;
    }

    @Scheduled(initialDelay = "1m", fixedDelay = "1h")
    void purgeExpired() {
        int purged = purge(Instant.now());
        if (purged > 0) {
            LOG.info("Forgot {} idempotency keys older than {}", purged, settings.retention());
        }
    }

    /** Forgets the keys that are older than the retention at {@code now}; returns how many. */
    public int purge(Instant now) {
        return keys.forgetOlderThan(now.minus(settings.retention()));
    }
}
