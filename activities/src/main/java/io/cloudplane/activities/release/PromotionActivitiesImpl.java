package io.cloudplane.activities.release;

import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.infra.release.PromotionRecord;
import io.cloudplane.infra.release.PromotionRepository;
import io.cloudplane.workflows.release.PromotionActivities;
import io.cloudplane.workflows.release.PromotionView;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

@Singleton
public class PromotionActivitiesImpl implements PromotionActivities, ControlPlaneActivities {
    private final PromotionRepository promotions;

    public PromotionActivitiesImpl(PromotionRepository promotions) {
        this.promotions = promotions;
    }

    @Override
    public void recordPromotion(PromotionView v) {
        UUID id = UUID.fromString(v.promotionId());
        PromotionRecord p = promotions.findById(id).orElseThrow(() -> FailureType.NOT_FOUND.nonRetryable("promotion " + id + " does not exist"));
        promotions.update(new PromotionRecord(p.id(), p.appId(), p.releaseId(), p.stagingEnvId(), p.productionEnvId(), v.status(),
                v.stage(), uuid(v.stagingDeploymentId()), uuid(v.productionDeploymentId()), instant(v.approvalExpiresAt()),
                uuid(v.decidedBy()), instant(v.decidedAt()), v.decision(), v.comment(), v.error(), p.createdBy(), p.createdAt(),
                Instant.now().truncatedTo(ChronoUnit.MICROS)));
    }

    private static UUID uuid(String s) {
        return s == null ? null : UUID.fromString(s);
    }

    private static Instant instant(long millis) {
        return millis == 0 ? null : Instant.ofEpochMilli(millis);
    }
}
