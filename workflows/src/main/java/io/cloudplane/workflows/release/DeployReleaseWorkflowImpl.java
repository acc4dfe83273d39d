package io.cloudplane.workflows.release;

import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.backup.BackupRequest;
import io.cloudplane.workflows.backup.BackupWorkflow;
import io.cloudplane.workflows.backup.RestoreActivities;
import io.cloudplane.workflows.common.Activities;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.environment.EnvironmentActivities;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationTracker;
import io.cloudplane.workflows.server.RuntimeActivities;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;

/**
 * A deployment as a runbook. Nothing the environment runs is touched until the artifact is
 * downloaded and its digest checked; from the swap on, any failure puts the previous code back,
 * and the data too (from the safety backup) when the new server ran, and then brings the server
 * back. The deployment is FAILED with the reason and the workflow fails: it never reports success.
 */
public class DeployReleaseWorkflowImpl implements DeployReleaseWorkflow {
    private final DeploymentActivities deployment = Activities.deployments();
    private final DeploymentActivities noOpDeployment = Activities.noOpDeployments();
    private final RestoreActivities safetyRestore = Activities.safetyRestores();
    private final EnvironmentActivities environments = Activities.environments();

    @Override
    public DeployResult deploy(DeployRequest request) {
        RuntimeActivities runtime = Activities.runtime(request.healthTimeoutSeconds());
        OperationTracker op = new OperationTracker(request.deploymentId());
        String id = request.deploymentId();
        String envId = request.envId();
        op.started();
        DeployPlan plan;
        try {
            plan = op.step("begin", () -> deployment.begin(id));
        } catch (TemporalFailure failure) {
            throw failed(op, id, OperationTracker.reason(failure), failure);
        }
        if (plan.alreadyCurrent()) {
            // The environment already runs exactly this code: deploying it again changes nothing.
            try {
                op.skip("deploy");
                noOpDeployment.finish(id, true, null);
                op.succeeded();
                return new DeployResult(id, request.releaseId(), false, null);
            } catch (TemporalFailure failure) {
                throw failed(op, id, OperationTracker.reason(failure), failure);
            }
        }
        // What a failure must put back. Not a Saga: the put-back runs code, then data, then server,
        // not in the reverse order of the steps, and what each part achieves decides the status.
        boolean touched = false;
        boolean newServerRan = false;
        try {
            if (plan.safetyBackupId() != null) {
                op.step("safety-backup", () -> Workflow.newChildWorkflowStub(BackupWorkflow.class, ChildWorkflowOptions.newBuilder()
                                .setWorkflowId(WorkflowIds.backup(plan.safetyBackupId())).build())
                        .backup(new BackupRequest(plan.safetyBackupId(), request.appId(), envId, null)));
            }
            op.step("download-artifact", () -> deployment.stage(id));
            // From here on the environment is touched: revertCode is idempotent (a no-op before the
            // swap), so a stop or a swap that failed half-way is undone like a failed health check.
            touched = true;
            op.step("stop-server", () -> {
                environments.setStatus(envId, EnvironmentStatus.DEPLOYING, null);
                runtime.stopServer(envId);
            });
            op.step("swap-code", () -> deployment.activate(id));
            op.step("start-server", () -> runtime.startServer(envId));
            newServerRan = true;
            op.step("await-healthy", () -> runtime.awaitHealthyWithin(envId, request.healthTimeoutSeconds()));
            op.step("record-running", () -> environments.setStatus(envId, EnvironmentStatus.RUNNING, null));
        } catch (TemporalFailure failure) {
            String reason = OperationTracker.reason(failure);
            boolean revert = touched;
            boolean restoreData = newServerRan && plan.safetyBackupId() != null;
            Workflow.newDetachedCancellationScope(() -> {
                if (revert) {
                    try {
                        putBack(runtime, op, request, plan, reason, restoreData);
                    } catch (TemporalFailure notPutBack) {
                        // The deployment still ends FAILED, and the environment says what is wrong.
                        environments.setStatus(envId, EnvironmentStatus.FAILED, "the deployment failed (" + reason
                                + ") and putting the previous release back failed: " + OperationTracker.reason(notPutBack));
                    }
                }
            }).run();
            throw failed(op, id, reason, failure);
        }
        // RUNNING on the new release: from here nothing is put back (finishing removes the previous code);
        // recording the outcome is retried until it works instead.
        deployment.finish(id, true, null);
        op.succeeded();
        return new DeployResult(id, request.releaseId(), true, plan.safetyBackupId());
    }

    private void putBack(RuntimeActivities runtime, OperationTracker op, DeployRequest request, DeployPlan plan,
                         String reason, boolean restoreData) {
        String id = request.deploymentId();
        String envId = request.envId();
        op.step("revert-code", () -> {
            runtime.stopServer(envId);
            deployment.revertCode(id);
        });
        String dataProblem = null;
        if (restoreData) {
            // The new server ran, so it may have changed the data: the safety backup puts it back.
            try {
                op.step("restore-data", () -> {
                    safetyRestore.restoreDatabase(id, envId, plan.safetyBackupId());
                    safetyRestore.swapDatabase(id, envId);
                    safetyRestore.restoreFiles(id, envId, plan.safetyBackupId());
                    deployment.markDataRestored(id);
                });
            } catch (TemporalFailure notRestored) {
                // Half a restore is worse than none: what it changed goes back, and the environment says so.
                safetyRestore.revert(id, envId);
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
                    runtime.startServer(envId);
                    runtime.awaitHealthy(envId);
                });
            } catch (TemporalFailure notBack) {
                after = EnvironmentStatus.FAILED;
                why = "the deployment failed (" + reason + ") and the previous release did not come back: "
                        + OperationTracker.reason(notBack);
            }
        }
        if (restoreData && dataProblem == null) {
            try {
                safetyRestore.discardKeptAside(id, envId);
            } catch (TemporalFailure leftover) {
                // Only what was kept aside is left behind; the environment itself is fine.
            }
        }
        if (dataProblem != null) {
            after = EnvironmentStatus.FAILED;
            why = why == null ? "the deployment failed (" + reason + "); " + dataProblem : why + "; " + dataProblem;
        }
        environments.setStatus(envId, after, why);
    }

    /** Records the deployment FAILED (also when the workflow is cancelled) and returns the failure to throw. */
    private ApplicationFailure failed(OperationTracker op, String id, String reason, TemporalFailure failure) {
        Workflow.newDetachedCancellationScope(() -> {
            deployment.finish(id, false, reason);
            op.failed(reason);
        }).run();
        return FailureType.DEPLOY_FAILED.nonRetryable("deployment " + id + " failed: " + reason, failure);
    }
}
