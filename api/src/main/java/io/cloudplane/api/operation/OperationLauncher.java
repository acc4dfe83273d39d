package io.cloudplane.api.operation;

import io.cloudplane.infra.release.DeploymentRecord;
import io.cloudplane.infra.release.DeploymentRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.release.ReleaseSettings;
import io.cloudplane.workflows.app.CloneApplicationWorkflow;
import io.cloudplane.workflows.app.CloneRequest;
import io.cloudplane.workflows.release.CreateReleaseRequest;
import io.cloudplane.workflows.release.CreateReleaseWorkflow;
import io.cloudplane.workflows.release.DeployReleaseWorkflow;
import io.cloudplane.workflows.release.DeployRequest;
import io.cloudplane.workflows.app.DeleteApplicationRequest;
import io.cloudplane.workflows.app.DeleteApplicationWorkflow;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.infra.backup.RestoreRecord;
import io.cloudplane.infra.backup.RestoreRepository;
import io.cloudplane.workflows.backup.RestoreRequest;
import io.cloudplane.workflows.backup.RestoreWorkflow;
import io.cloudplane.workflows.common.TaskQueues;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.environment.DeleteEnvironmentRequest;
import io.cloudplane.workflows.environment.DeleteEnvironmentWorkflow;
import io.cloudplane.workflows.environment.ProvisionEnvironmentWorkflow;
import io.cloudplane.workflows.environment.ProvisionRequest;
import io.cloudplane.workflows.server.RestartServerWorkflow;
import io.cloudplane.workflows.server.ServerActionRequest;
import io.cloudplane.workflows.server.StartServerWorkflow;
import io.cloudplane.workflows.server.StopServerWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the workflow that backs an Operation row. The row is written first, in the same
 * transaction as the change it describes, so that a crash between the two is repaired by the
 * {@link OperationReconciler}: the workflow ID is the business key, so starting it twice is harmless.
 */
@Singleton
public class OperationLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(OperationLauncher.class);
    private final WorkflowClient client;
    private final RestoreRepository restores;
    private final DeploymentRepository deployments;
    private final ReleaseSettings releaseSettings;
    private final io.cloudplane.infra.server.ServerUpdateRepository serverUpdates;

    public OperationLauncher(WorkflowClient client, RestoreRepository restores, DeploymentRepository deployments,
                             ReleaseSettings releaseSettings, io.cloudplane.infra.server.ServerUpdateRepository serverUpdates) {
        this.serverUpdates = serverUpdates;
        this.client = client;
        this.restores = restores;
        this.deployments = deployments;
        this.releaseSettings = releaseSettings;
    }

    private static ServerActionRequest serverAction(OperationRecord op) {
        return new ServerActionRequest(op.id().toString(), op.appId().toString(), op.envId().toString(), null);
    }

    /** Returns false when Temporal could not be reached; the reconciler starts the workflow later. */
    public boolean launch(OperationRecord op) {
        WorkflowOptions options = WorkflowOptions.newBuilder()
                .setWorkflowId(op.workflowId())
                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                .build();
        String opId = op.id().toString();
        String appId = op.appId().toString();
        try {
            switch (op.type()) {
                case PROVISION_ENVIRONMENT -> WorkflowClient.start(
                        client.newWorkflowStub(ProvisionEnvironmentWorkflow.class, options)::provision,
                        new ProvisionRequest(opId, appId, op.envId().toString()));
                case DELETE_ENVIRONMENT -> WorkflowClient.start(
                        client.newWorkflowStub(DeleteEnvironmentWorkflow.class, options)::delete,
                        new DeleteEnvironmentRequest(opId, appId, op.envId().toString()));
                case DELETE_APPLICATION -> WorkflowClient.start(
                        client.newWorkflowStub(DeleteApplicationWorkflow.class, options)::delete,
                        new DeleteApplicationRequest(opId, appId));
                case STOP_SERVER -> WorkflowClient.start(client.newWorkflowStub(StopServerWorkflow.class, options)::stop,
                        serverAction(op));
                case START_SERVER -> WorkflowClient.start(client.newWorkflowStub(StartServerWorkflow.class, options)::start,
                        serverAction(op));
                case RESTART_SERVER -> WorkflowClient.start(client.newWorkflowStub(RestartServerWorkflow.class, options)::restart,
                        serverAction(op));
                // Normally done by the sandbox lifecycle (a child, or its own fallAsleep activity);
                // finished here by a stop of its own only when found orphaned.
                case SLEEP_SANDBOX -> WorkflowClient.start(client.newWorkflowStub(StopServerWorkflow.class,
                                options.toBuilder().setWorkflowId(WorkflowIds.stopServer(op.envId().toString())).build())::stop,
                        new ServerActionRequest(opId, appId, op.envId().toString(), EnvironmentStatus.SLEEPING));
                case WAKE_SANDBOX -> WorkflowClient.start(client.newWorkflowStub(StartServerWorkflow.class, options)::start,
                        serverAction(op));
                case RESTORE_ENVIRONMENT -> {
                    RestoreRecord restore = restores.findById(op.id()).orElseThrow();
                    WorkflowClient.start(client.newWorkflowStub(RestoreWorkflow.class, options)::restore, new RestoreRequest(opId,
                            appId, op.envId().toString(), restore.backupId().toString(), restore.safetyBackupId().toString()));
                }
                case CREATE_RELEASE -> WorkflowClient.start(client.newWorkflowStub(CreateReleaseWorkflow.class, options)::create,
                        new CreateReleaseRequest(opId, appId, opId));
                case DEPLOY_RELEASE -> {
                    DeploymentRecord deployment = deployments.findById(op.id()).orElseThrow();
                    if (deployment.promotionId() != null && io.cloudplane.infra.temporal.WorkflowExecutions.isRunning(client,
                            WorkflowIds.promotion(deployment.promotionId().toString()))) {
                        return true; // its promotion starts it as a child
                    }
                    WorkflowClient.start(client.newWorkflowStub(DeployReleaseWorkflow.class, options)::deploy,
                            new DeployRequest(opId, appId, op.envId().toString(), deployment.releaseId().toString(),
                                    releaseSettings.healthTimeoutSeconds()));
                }
                case UPDATE_SERVER -> {
                    var update = serverUpdates.findById(op.id()).orElseThrow();
                    WorkflowClient.start(client.newWorkflowStub(io.cloudplane.workflows.server.UpdateServerWorkflow.class, options)::update,
                            new io.cloudplane.workflows.server.UpdateServerRequest(opId, appId, op.envId().toString(),
                                    update.toVersion(), releaseSettings.healthTimeoutSeconds()));
                }
                case CLONE_APPLICATION -> WorkflowClient.start(client.newWorkflowStub(CloneApplicationWorkflow.class, options)::cloneApp,
                        new CloneRequest(opId, appId, op.envId().toString()));
            }
            return true;
        } catch (WorkflowExecutionAlreadyStarted alreadyRunning) {
            return true;
        } catch (RuntimeException e) {
            LOG.warn("Could not start workflow {} for operation {} yet: {}", op.workflowId(), opId, e.getMessage());
            return false;
        }
    }
}
