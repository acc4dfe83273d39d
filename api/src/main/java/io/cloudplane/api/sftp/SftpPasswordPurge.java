package io.cloudplane.api.sftp;

import io.cloudplane.infra.config.CdsTraining;
import io.cloudplane.infra.sftp.SftpPasswordRepository;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/** Forgets expired short-lived SFTP passwords every hour (an expired one is refused anyway: this only bounds the table). */
@Singleton
@Requires(notEnv = CdsTraining.ENVIRONMENT) // a training start does nothing but start
public class SftpPasswordPurge {
    private static final Logger LOG = LoggerFactory.getLogger(SftpPasswordPurge.class);
    private final SftpPasswordRepository passwords;

    public SftpPasswordPurge(SftpPasswordRepository passwords) {
        this.passwords = passwords;
    }

    @Scheduled(initialDelay = "2m", fixedDelay = "1h")
    void purgeExpired() {
        purge(Instant.now());
    }

    int purge(Instant now) {
        int purged = passwords.deleteExpired(now);
        if (purged > 0) {
            LOG.info("Forgot {} expired SFTP passwords", purged);
        }
        return purged;
    }
}
