package io.cloudplane.api.operation;

import io.cloudplane.api.common.RecoveryLoop;
import io.cloudplane.infra.config.CdsTraining;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.infra.temporal.WorkflowExecutions;
import io.cloudplane.workflows.operation.OperationStatus;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Keeps every unfinished Operation backed by a live workflow. A workflow that is missing (never
 * started because Temporal was down, or lost with the embedded server's memory at a restart) is
 * started again: every workflow is idempotent and keyed by its business ID. A workflow that ended
 * without reporting (terminated by an operator, say) fails its Operation with that reason, and its
 * environment too if the operation left it in the middle of an action (UPDATING, DEPLOYING, …): what
 * its server runs is not known any more, and FAILED lets its owner start, restart or delete it. An
 * operation that an {@link OperationOwner} owns (a sandbox lifecycle's) is handed to that owner.
 */
@Singleton
@Requires(property = "cloudplane.reconcile.enabled", notEquals = "false")
@Requires(notEnv = CdsTraining.ENVIRONMENT) // a training start does nothing but start
public class OperationReconciler {
    private static final Logger LOG = LoggerFactory.getLogger(OperationReconciler.class);
    private static final Duration GRACE = Duration.ofSeconds(5);
    private final OperationRepository operations;
    private final OperationLauncher launcher;
    private final WorkflowClient client;
    private final EnvironmentRepository environments;
    private final List<OperationOwner> owners;
    private final io.cloudplane.infra.monitoring.OperationMeters meters;

    public OperationReconciler(OperationRepository operations, OperationLauncher launcher, WorkflowClient client,
                               EnvironmentRepository environments, List<OperationOwner> owners,
                               io.cloudplane.infra.monitoring.OperationMeters meters) {
        this.meters = meters;
        this.environments = environments;
        this.owners = owners;
        this.operations = operations;
        this.launcher = launcher;
        this.client = client;
    }

    @Scheduled(initialDelay = "${cloudplane.reconcile.initial-delay:1s}", fixedDelay = "${cloudplane.reconcile.interval:30s}")
    public void reconcile() {
        Instant graceStart = Instant.now().minus(GRACE);
        RecoveryLoop.over(LOG, operations.findUnfinished(), op -> "reconcile operation " + op.id() + " (" + op.workflowId() + ")",
                // One created since graceStart is left alone: the request that created it is launching it.
                op -> !op.createdAt().isAfter(graceStart) && reconcile(op));
    }

    /** True when it started the operation's workflow again or failed the operation. */
    private boolean reconcile(OperationRecord op) {
        for (OperationOwner owner : owners) {
            if (owner.owns(op)) {
                return owner.recover(op);
            }
        }
        Optional<WorkflowExecutionInfo> found = WorkflowExecutions.describe(client, op.workflowId());
        if (found.isEmpty()) {
            LOG.info("Workflow {} of operation {} is missing: starting it again", op.workflowId(), op.id());
            return launcher.launch(op);
        }
        WorkflowExecutionInfo info = found.get();
        if (info.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
            return false;
        }
        Instant runStarted = Instant.ofEpochSecond(info.getStartTime().getSeconds(), info.getStartTime().getNanos());
        if (runStarted.isBefore(op.createdAt())) {
            // An earlier run under the same business key: this operation's own run never started.
            return launcher.launch(op);
        }
        String outcome = info.getStatus().name().replace("WORKFLOW_EXECUTION_STATUS_", "").toLowerCase();
        String reason = "workflow " + op.workflowId() + " ended (" + outcome + ") without reporting";
        Instant now = Instant.now();
        if (operations.finish(op.id(), OperationStatus.FAILED, reason, now) == 0) {
            return false;
        }
        meters.finished(op.type(), OperationStatus.FAILED, java.time.Duration.between(op.createdAt(), now));
        if (op.envId() != null
                && environments.failIfInTransition(op.envId(), reason + "; start or restart the server", Instant.now()) > 0) {
            LOG.warn("Environment {} was left in the middle of {}: marked FAILED", op.envId(), op.type());
        }
        return true;
    }
}
