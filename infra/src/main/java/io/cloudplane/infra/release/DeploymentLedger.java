package io.cloudplane.infra.release;

import io.cloudplane.infra.persistence.DeploymentRecord;
import io.cloudplane.infra.persistence.DeploymentRepository;
import io.cloudplane.infra.persistence.OperationRecord;
import io.cloudplane.infra.persistence.OperationRepository;
import io.cloudplane.infra.persistence.ReleaseRepository;
import io.cloudplane.workflows.common.OperationStatus;
import io.micronaut.data.exceptions.DataAccessException;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Writes a deployment in one transaction: its DEPLOY_RELEASE operation (which holds the
 * environment: one unfinished operation per environment), its row, and the release's lock (a
 * release that has been deployed once can no longer be deleted). Used by the API and by promotions.
 */
@Singleton
public class DeploymentLedger {
    private final OperationRepository operations;
    private final DeploymentRepository deployments;
    private final ReleaseRepository releases;

    public DeploymentLedger(OperationRepository operations, DeploymentRepository deployments, ReleaseRepository releases) {
        this.operations = operations;
        this.deployments = deployments;
        this.releases = releases;
    }

    @Transactional
    public OperationRecord create(UUID deploymentId, UUID appId, UUID envId, UUID releaseId, UUID promotionId, boolean rollback,
                                  UUID by) {
        var existing = operations.findById(deploymentId);
        if (existing.isPresent()) {
            return existing.get();
        }
        operations.findActiveForEnvironment(envId).ifPresent(op -> {
            throw new EnvironmentBusyException(op);
        });
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        OperationRecord op;
        try {
            op = operations.save(new OperationRecord(deploymentId, OperationRecord.OperationType.DEPLOY_RELEASE,
                    OperationStatus.PENDING, appId, envId, by, "deploy/" + deploymentId, null, "[]", null, now, now));
        } catch (DataAccessException e) {
            throw new EnvironmentBusyException(null);
        }
        releases.lock(releaseId, now);
        deployments.save(DeploymentRecord.pending(deploymentId, appId, envId, releaseId, promotionId, rollback, by, now));
        return op;
    }

    /** Another operation holds the environment. */
    public static final class EnvironmentBusyException extends RuntimeException {
        private final OperationRecord running;

        public EnvironmentBusyException(OperationRecord running) {
            super(running == null ? "another operation started on this environment just now"
                    : "operation " + running.id() + " (" + running.type() + ") is running on this environment");
            this.running = running;
        }

        public OperationRecord running() {
            return running;
        }
    }
}
