package io.cloudplane.api.release;

import io.cloudplane.api.common.RecoveryLoop;
import io.cloudplane.infra.config.CdsTraining;
import io.cloudplane.infra.release.PromotionRecord;
import io.cloudplane.infra.release.PromotionRepository;
import io.cloudplane.infra.temporal.WorkflowExecutions;
import io.cloudplane.workflows.common.WorkflowIds;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;

/**
 * A promotion whose workflow is gone (the embedded Temporal's memory lost in a restart, a
 * terminated workflow) would show AWAITING_APPROVAL for ever and refuse every approval. Its row is
 * ended FAILED with the reason, which frees the app for a new promotion. Its deployments are
 * operations, which the operation reconciler finishes on their own.
 */
@Singleton
@Requires(property = "cloudplane.promotion.recovery.enabled", notEquals = "false")
@Requires(notEnv = CdsTraining.ENVIRONMENT) // a training start does nothing but start
public class PromotionRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(PromotionRecovery.class);
    private static final Duration GRACE = Duration.ofSeconds(30);
    private final PromotionRepository promotions;
    private final WorkflowClient client;

    public PromotionRecovery(PromotionRepository promotions, WorkflowClient client) {
        this.promotions = promotions;
        this.client = client;
    }

    @Scheduled(initialDelay = "${cloudplane.promotion.recovery.initial-delay:5s}",
            fixedDelay = "${cloudplane.promotion.recovery.interval:30s}") // as often as the reconciler: one begun just before a restart is past the grace on the next pass
    public void recover() {
        RecoveryLoop.over(LOG, promotions.findUnfinished(Instant.now().minus(GRACE)), p -> "check promotion " + p.id(),
                this::failIfGone);
    }

    private boolean failIfGone(PromotionRecord p) {
        if (WorkflowExecutions.isRunning(client, WorkflowIds.promotion(p.id().toString()))) {
            return false;
        }
        promotions.failUnfinished(p.id(), "the promotion's workflow is gone (it was " + p.status()
                + "; Temporal lost or ended it); start a new promotion", Instant.now());
        LOG.warn("Promotion {} of app {} had no workflow any more: marked FAILED", p.id(), p.appId());
        return true;
    }
}
