package io.cloudplane.workflows.operation;

import io.cloudplane.workflows.app.CloneApplicationWorkflow;
import io.cloudplane.workflows.app.CloneRequest;
import io.cloudplane.workflows.app.DeleteApplicationRequest;
import io.cloudplane.workflows.app.DeleteApplicationWorkflow;
import io.cloudplane.workflows.backup.RestoreWorkflow;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.environment.DeleteEnvironmentRequest;
import io.cloudplane.workflows.environment.DeleteEnvironmentWorkflow;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.environment.ProvisionEnvironmentWorkflow;
import io.cloudplane.workflows.environment.ProvisionRequest;
import io.cloudplane.workflows.release.CreateReleaseRequest;
import io.cloudplane.workflows.release.CreateReleaseWorkflow;
import io.cloudplane.workflows.release.DeployReleaseWorkflow;
import io.cloudplane.workflows.server.RestartServerWorkflow;
import io.cloudplane.workflows.server.ServerActionRequest;
import io.cloudplane.workflows.server.StartServerWorkflow;
import io.cloudplane.workflows.server.StopServerWorkflow;
import io.cloudplane.workflows.server.UpdateServerWorkflow;

import java.util.function.Function;

import static io.cloudplane.workflows.operation.OperationWorkflow.startedWith;
import static io.cloudplane.workflows.operation.OperationWorkflow.startedWithStoredRequest;

/**
 * Every kind of operation, with what each needs to be carried out: the ID of its workflow (a
 * business key, so that a repeated request cannot start a second run), how that workflow starts,
 * and the word the environment's activity log shows for it. A new kind is one constant here, plus
 * its workflow (registered in {@link io.cloudplane.workflows.common.WorkflowImplementations}).
 * The constants' names are stored in the database: never rename one.
 */
public enum OperationType {
    PROVISION_ENVIRONMENT("created", ref -> WorkflowIds.provisionEnvironment(ref.envId()),
            startedWith(ProvisionEnvironmentWorkflow.class, ProvisionEnvironmentWorkflow::provision,
                    ref -> new ProvisionRequest(ref.operationId(), ref.appId(), ref.envId()))),
    DELETE_ENVIRONMENT("deleted", ref -> WorkflowIds.deleteEnvironment(ref.envId()),
            startedWith(DeleteEnvironmentWorkflow.class, DeleteEnvironmentWorkflow::delete,
                    ref -> new DeleteEnvironmentRequest(ref.operationId(), ref.appId(), ref.envId()))),
    DELETE_APPLICATION("deleted", ref -> WorkflowIds.deleteApplication(ref.appId()),
            startedWith(DeleteApplicationWorkflow.class, DeleteApplicationWorkflow::delete,
                    ref -> new DeleteApplicationRequest(ref.operationId(), ref.appId(), null))),
    STOP_SERVER("stopped", ref -> WorkflowIds.stopServer(ref.envId()),
            startedWith(StopServerWorkflow.class, StopServerWorkflow::stop, OperationType::serverAction)),
    START_SERVER("started", ref -> WorkflowIds.startServer(ref.envId()),
            startedWith(StartServerWorkflow.class, StartServerWorkflow::start, OperationType::serverAction)),
    RESTART_SERVER("restarted", ref -> WorkflowIds.restartServer(ref.envId()),
            startedWith(RestartServerWorkflow.class, RestartServerWorkflow::restart, OperationType::serverAction)),
    /**
     * Normally carried out by the sandbox lifecycle (a child, or its own fallAsleep activity, which
     * records the lifecycle's workflow ID on the row); a stop of its own finishes it when it is
     * found orphaned.
     */
    SLEEP_SANDBOX("slept", ref -> WorkflowIds.stopServer(ref.envId()),
            startedWith(StopServerWorkflow.class, StopServerWorkflow::stop,
                    ref -> new ServerActionRequest(ref.operationId(), ref.appId(), ref.envId(), EnvironmentStatus.SLEEPING))),
    WAKE_SANDBOX("woke", ref -> WorkflowIds.startServer(ref.envId()),
            startedWith(StartServerWorkflow.class, StartServerWorkflow::start, OperationType::serverAction)),
    RESTORE_ENVIRONMENT("restored", ref -> WorkflowIds.restore(ref.operationId()),
            startedWithStoredRequest(RestoreWorkflow.class, RestoreWorkflow::restore)),
    /** The operation's ID is the release's. */
    CREATE_RELEASE("released", ref -> WorkflowIds.createRelease(ref.operationId()),
            startedWith(CreateReleaseWorkflow.class, CreateReleaseWorkflow::create,
                    ref -> new CreateReleaseRequest(ref.operationId(), ref.appId(), ref.operationId()))),
    /** The operation's ID is the deployment's. */
    DEPLOY_RELEASE("deployed", ref -> WorkflowIds.deploy(ref.operationId()),
            startedWithStoredRequest(DeployReleaseWorkflow.class, DeployReleaseWorkflow::deploy)),
    /** The operation's app is the new one, made by the clone. */
    CLONE_APPLICATION("created by cloning", ref -> WorkflowIds.cloneApplication(ref.appId()),
            startedWith(CloneApplicationWorkflow.class, CloneApplicationWorkflow::cloneApp,
                    ref -> new CloneRequest(ref.operationId(), ref.appId(), ref.envId()))),
    /** The operation's ID is its server_updates row's. */
    UPDATE_SERVER("updated", ref -> WorkflowIds.updateServer(ref.envId()),
            startedWithStoredRequest(UpdateServerWorkflow.class, UpdateServerWorkflow::update));

    private final String activityLabel;
    private final Function<OperationRef, String> workflowId;
    private final OperationWorkflow<?, ?> workflow;

    OperationType(String activityLabel, Function<OperationRef, String> workflowId, OperationWorkflow<?, ?> workflow) {
        this.activityLabel = activityLabel;
        this.workflowId = workflowId;
        this.workflow = workflow;
    }

    /** What the environment's activity log says was done ("created", "stopped", …). */
    public String activityLabel() {
        return activityLabel;
    }

    /** The business key of the workflow that carries the operation out. */
    public String workflowId(OperationRef ref) {
        return workflowId.apply(ref);
    }

    public OperationWorkflow<?, ?> workflow() {
        return workflow;
    }

    private static ServerActionRequest serverAction(OperationRef ref) {
        return new ServerActionRequest(ref.operationId(), ref.appId(), ref.envId(), null);
    }
}
