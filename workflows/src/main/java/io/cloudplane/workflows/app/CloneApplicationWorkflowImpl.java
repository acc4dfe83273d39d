package io.cloudplane.workflows.app;

import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.code.CodeActivities;
import io.cloudplane.workflows.common.Activities;
import io.cloudplane.workflows.environment.DatabaseActivities;
import io.cloudplane.workflows.environment.EnvironmentActivities;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.environment.EnvironmentTeardown;
import io.cloudplane.workflows.environment.FileActivities;
import io.cloudplane.workflows.operation.OperationTracker;
import io.cloudplane.workflows.server.RuntimeActivities;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;

/**
 * A clone is a provisioning with the source's code copied in. When a step fails for good, what was
 * created is removed, the code object too, and the new environment is FAILED with the reason.
 */
public class CloneApplicationWorkflowImpl implements CloneApplicationWorkflow {
    private final DatabaseActivities databases = Activities.databases();
    private final FileActivities files = Activities.files();
    private final CodeActivities code = Activities.code();
    private final CodeActivities cleanUp = Activities.cloneCleanUp();
    private final RuntimeActivities runtime = Activities.runtime();
    private final EnvironmentActivities environments = Activities.environments();

    @Override
    public void cloneApp(CloneRequest request) {
        String envId = request.envId();
        OperationTracker op = new OperationTracker(request.operationId());
        op.started();
        try {
            op.step("create-database", () -> databases.createDatabase(envId));
            op.step("create-folders", () -> files.createFolders(envId));
            op.step("copy-code", () -> code.copyCode(request.operationId()));
            op.step("install-code", () -> code.installCode(request.operationId()));
            op.step("start-server", () -> runtime.startServer(envId));
            op.step("await-healthy", () -> runtime.awaitHealthy(envId));
            op.step("record-running", () -> environments.setStatus(envId, EnvironmentStatus.RUNNING, null));
            op.succeeded();
        } catch (TemporalFailure failure) {
            String reason = OperationTracker.reason(failure);
            Workflow.newDetachedCancellationScope(() -> {
                String why = reason;
                try {
                    op.step("clean-up", () -> {
                        EnvironmentTeardown.tearDown(envId);
                        cleanUp.deleteCode(request.appId(), envId);
                    });
                } catch (TemporalFailure notCleaned) {
                    why = reason + "; the clean-up failed too, and is retried by deleting the app: "
                            + OperationTracker.reason(notCleaned);
                }
                environments.setStatus(envId, EnvironmentStatus.FAILED, why);
                op.failed(why);
            }).run();
            throw FailureType.CLONE_FAILED.nonRetryable("clone into app " + request.appId() + " failed: " + reason, failure);
        }
    }
}
