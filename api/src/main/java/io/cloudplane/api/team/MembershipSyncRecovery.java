package io.cloudplane.api.team;

import io.cloudplane.api.common.RecoveryLoop;
import io.cloudplane.infra.config.CdsTraining;
import io.cloudplane.infra.team.MembershipSyncRepository;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;

/**
 * Signals the membership syncs whose change was committed but never handed to its workflow (the
 * process died right after the commit, or Temporal was unreachable): every {@code membership_syncs}
 * row older than a minute, since a younger one may still be in its request.
 */
@Singleton
@Requires(property = "cloudplane.team.sync-recovery.enabled", notEquals = "false")
@Requires(notEnv = CdsTraining.ENVIRONMENT)
public class MembershipSyncRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(MembershipSyncRecovery.class);
    static final Duration IN_FLIGHT = Duration.ofMinutes(1);
    private final MembershipSyncRepository requests;
    private final MembershipSyncs syncs;

    public MembershipSyncRecovery(MembershipSyncRepository requests, MembershipSyncs syncs) {
        this.requests = requests;
        this.syncs = syncs;
    }

    @Scheduled(initialDelay = "${cloudplane.team.sync-recovery.initial-delay:20s}",
            fixedDelay = "${cloudplane.team.sync-recovery.interval:1m}")
    public void recover() {
        recover(Instant.now().minus(IN_FLIGHT));
    }

    /** Signals every request made before {@code before}; answers how many. */
    public int recover(Instant before) {
        int signalled = RecoveryLoop.over(LOG, requests.findLeftBefore(before, RecoveryLoop.PAGE),
                r -> "signal the membership sync of user " + r.key().userId() + " in app " + r.key().appId(),
                r -> {
                    syncs.signal(r.key().appId(), r.key().userId());
                    return true;
                });
        if (signalled > 0) {
            LOG.info("Signalled {} membership syncs that their change had left behind", signalled);
        }
        return signalled;
    }
}
