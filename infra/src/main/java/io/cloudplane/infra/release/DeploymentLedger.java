package io.cloudplane.infra.release;

import io.cloudplane.infra.environment.EnvironmentLocks;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.workflows.operation.OperationType;
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
    private final EnvironmentLocks locks;

    public DeploymentLedger(OperationRepository operations, DeploymentRepository deployments, ReleaseRepository releases,
                            EnvironmentLocks locks) {
        this.operations = operations;
        this.deployments = deployments;
        this.releases = releases;
        this.locks = locks;
    }

    @Transactional
    public OperationRecord create(UUID deploymentId, UUID appId, UUID envId, UUID releaseId, UUID promotionId, boolean rollback,
                                  UUID by) {
        var existing = operations.findById(deploymentId);
        if (existing.isPresent()) {
            return existing.get();
        }
        if (!locks.tryShareForOperation(envId)) {
            throw new EnvironmentBusyException(null, "code is being uploaded to this environment");
        }
        operations.findActiveForEnvironment(envId).ifPresent(op -> {
            throw new EnvironmentBusyException(op, null);
        });
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        OperationRecord op;
        try {
            op = operations.save(OperationRecord.pending(deploymentId, OperationType.DEPLOY_RELEASE, appId, envId, by, now));
        } catch (DataAccessException e) {
            throw new EnvironmentBusyException(null, null);
        }
        if (releases.lock(releaseId, now) != 1) {
            throw new ReleaseGoneException(releaseId);
        }
        deployments.save(DeploymentRecord.pending(deploymentId, appId, envId, releaseId, promotionId, rollback, by, now));
        return op;
    }

    /** The release was deleted meanwhile. */
    public static final class ReleaseGoneException extends RuntimeException {
        public ReleaseGoneException(UUID releaseId) {
            super("release " + releaseId + " no longer exists");
        }
    }

    /** Another operation, or an upload, holds the environment. */
    public static final class EnvironmentBusyException extends RuntimeException {
        private final OperationRecord running;

        public EnvironmentBusyException(OperationRecord running, String why) {
            super(why != null ? why : running == null ? "another operation started on this environment just now"
                    : "operation " + running.id() + " (" + running.type() + ") is running on this environment");
            this.running = running;
        }

        public OperationRecord running() {
            return running;
        }
    }
}
