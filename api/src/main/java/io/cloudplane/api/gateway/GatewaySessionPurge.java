package io.cloudplane.api.gateway;

import io.cloudplane.infra.config.CdsTraining;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/** Forgets expired gateway sessions and tickets every hour (an expired one is refused anyway: this only bounds the tables). */
@Singleton
@Requires(notEnv = CdsTraining.ENVIRONMENT) // a training start does nothing but start
public class GatewaySessionPurge {
    private static final Logger LOG = LoggerFactory.getLogger(GatewaySessionPurge.class);
    private final GatewaySessions sessions;

    public GatewaySessionPurge(GatewaySessions sessions) {
        this.sessions = sessions;
    }

    @Scheduled(initialDelay = "2m", fixedDelay = "1h")
    void purgeExpired() {
        int purged = sessions.purgeExpired(Instant.now());
        if (purged > 0) {
            LOG.info("Forgot {} expired gateway sessions and tickets", purged);
        }
    }
}
