package io.cloudplane.workflows.release;

import io.cloudplane.workflows.backup.BackupRequest;
import io.cloudplane.workflows.backup.BackupWorkflow;
import io.cloudplane.workflows.backup.RestoreActivities;
import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationTracker;
import io.cloudplane.workflows.environment.EnvironmentActivityStubs;
import io.cloudplane.workflows.server.RuntimeActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;

import java.time.Duration;

/**
 * A deployment as a runbook. Nothing the environment runs is touched until the artifact is
 * downloaded and its digest checked; from the swap on, any failure puts the previous code back,
 * and the data too (from the safety backup) when the new server ran, and then brings the server
 * back. The deployment is FAILED with the reason and the workflow fails: it never reports success.
 */
public class DeployReleaseWorkflowImpl implements DeployReleaseWorkflow {
    private static final String[] NON_RETRYABLE = FailureType.types(FailureType.NOT_FOUND, FailureType.INVALID_INPUT,
            FailureType.DIGEST_MISMATCH, FailureType.HOSTILE_ARCHIVE);
    private final DeploymentActivities deploys = Workflow.newActivityStub(DeploymentActivities.class, ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(30))
            .setHeartbeatTimeout(Duration.ofMinutes(1))
            .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(1)).setMaximumAttempts(4)
                    .setDoNotRetry(NON_RETRYABLE).build())
            .build());
    private final DeploymentActivities undo = Workflow.newActivityStub(DeploymentActivities.class, ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(10))
            .setRetryOptions(RetryOptions.newBuilder().setMaximumInterval(Duration.ofMinutes(1)).build())
            .build());
    private final RestoreActivities data = Workflow.newActivityStub(RestoreActivities.class, ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofHours(6))
            .setHeartbeatTimeout(Duration.ofMinutes(2))
            .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(2)).setMaximumAttempts(5).build())
            .build());

    @Override
    public DeployResult deploy(DeployRequest request) {
        EnvironmentActivityStubs act = new EnvironmentActivityStubs();
        RuntimeActivities health = Workflow.newActivityStub(RuntimeActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(request.healthTimeoutSeconds() + 30L))
                .setHeartbeatTimeout(Duration.ofSeconds(30))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
        OperationTracker op = new OperationTracker(request.deploymentId());
        String id = request.deploymentId();
        String envId = request.envId();
        op.started();
        DeployPlan plan;
        try {
            plan = op.step("begin", () -> deploys.begin(id));
        } catch (TemporalFailure failure) {
            return fail(op, id, OperationTracker.reason(failure), failure);
        }
        if (plan.alreadyCurrent()) {
            // The environment already runs exactly this code: deploying it again changes nothing.
            try {
                op.skip("deploy");
                deploys.finish(id, true, null);
                op.succeeded();
                return new DeployResult(id, request.releaseId(), false, null);
            } catch (TemporalFailure failure) {
                return fail(op, id, OperationTracker.reason(failure), failure);
            }
        }
        boolean swapped = false;
        boolean started = false;
        try {
            if (plan.safetyBackupId() != null) {
                op.step("safety-backup", () -> Workflow.newChildWorkflowStub(BackupWorkflow.class, ChildWorkflowOptions.newBuilder()
                                .setWorkflowId(io.cloudplane.workflows.common.WorkflowIds.backup(plan.safetyBackupId())).build())
                        .backup(new BackupRequest(plan.safetyBackupId(), request.appId(), envId, null)));
            }
            op.step("download-artifact", () -> deploys.stage(id));
            // From here on the environment is touched: revertCode is idempotent (a no-op before the
            // swap), so a stop or a swap that failed half-way is undone like a failed health check.
            swapped = true;
            op.step("stop-server", () -> {
                act.environments.setStatus(envId, EnvironmentStatus.DEPLOYING, null);
                act.runtime.stopServer(envId);
            });
            op.step("swap-code", () -> deploys.activate(id));
            op.step("start-server", () -> act.runtime.startServer(envId));
            started = true;
            op.step("await-healthy", () -> health.awaitHealthyWithin(envId, request.healthTimeoutSeconds()));
            op.step("record-running", () -> act.environments.setStatus(envId, EnvironmentStatus.RUNNING, null));
        } catch (TemporalFailure failure) {
            String reason = OperationTracker.reason(failure);
            boolean revert = swapped;
            boolean restoreData = started && plan.safetyBackupId() != null;
            Workflow.newDetachedCancellationScope(() -> {
                if (revert) {
                    try {
                        putBack(act, op, request, plan, reason, restoreData);
                    } catch (TemporalFailure notPutBack) {
                        // The deployment still ends FAILED, and the environment says what is wrong.
                        act.environments.setStatus(envId, EnvironmentStatus.FAILED, "the deployment failed (" + reason
                                + ") and putting the previous release back failed: " + OperationTracker.reason(notPutBack));
                    }
                }
            }).run();
            return fail(op, id, reason, failure);
        }
        // RUNNING on the new release: from here nothing is put back (finishing removes the previous code);
        // recording the outcome is retried longer instead.
        undo.finish(id, true, null);
        op.succeeded();
        return new DeployResult(id, request.releaseId(), true, plan.safetyBackupId());
    }

    private void putBack(EnvironmentActivityStubs act, OperationTracker op, DeployRequest request, DeployPlan plan,
                         String reason, boolean restoreData) {
        String id = request.deploymentId();
        String envId = request.envId();
        op.step("revert-code", () -> {
            act.runtime.stopServer(envId);
            undo.revertCode(id);
        });
        String dataProblem = null;
        if (restoreData) {
            // The new server ran, so it may have changed the data: the safety backup puts it back.
            try {
                op.step("restore-data", () -> {
                    data.restoreDatabase(id, envId, plan.safetyBackupId());
                    data.swapDatabase(id, envId);
                    data.restoreFiles(id, envId, plan.safetyBackupId());
                    undo.markDataRestored(id);
                });
            } catch (TemporalFailure notRestored) {
                // Half a restore is worse than none: what it changed goes back, and the environment says so.
                data.revert(id, envId);
                dataProblem = "the data could not be restored from safety backup " + plan.safetyBackupId() + " ("
                        + OperationTracker.reason(notRestored) + ") and is as the failed release left it";
            }
        }
        boolean serve = plan.previousStatus() != EnvironmentStatus.STOPPED && plan.previousStatus() != EnvironmentStatus.SLEEPING;
        EnvironmentStatus after = serve ? EnvironmentStatus.RUNNING : plan.previousStatus();
        String why = null;
        if (serve) {
            try {
                op.step("restart-previous", () -> {
                    act.runtime.startServer(envId);
                    act.health.awaitHealthy(envId);
                });
            } catch (TemporalFailure notBack) {
                after = EnvironmentStatus.FAILED;
                why = "the deployment failed (" + reason + ") and the previous release did not come back: "
                        + OperationTracker.reason(notBack);
            }
        }
        if (restoreData && dataProblem == null) {
            try {
                data.discardKeptAside(id, envId);
            } catch (TemporalFailure leftover) {
                // Only what was kept aside is left behind; the environment itself is fine.
            }
        }
        if (dataProblem != null) {
            after = EnvironmentStatus.FAILED;
            why = why == null ? "the deployment failed (" + reason + "); " + dataProblem : why + "; " + dataProblem;
        }
        act.environments.setStatus(envId, after, why);
    }

    private DeployResult fail(OperationTracker op, String id, String reason, TemporalFailure failure) {
        Workflow.newDetachedCancellationScope(() -> {
            undo.finish(id, false, reason);
            op.failed(reason);
        }).run();
        throw FailureType.DEPLOY_FAILED.nonRetryable("deployment " + id + " failed: " + reason, failure);
    }
}
