package io.cloudplane.workflows;

import io.cloudplane.workflows.app.DeleteApplicationWorkflowImpl;
import io.cloudplane.workflows.environment.DeleteEnvironmentWorkflowImpl;
import io.cloudplane.workflows.environment.ProvisionEnvironmentWorkflow;
import io.cloudplane.workflows.environment.ProvisionEnvironmentWorkflowImpl;
import io.cloudplane.workflows.environment.ProvisionRequest;
import io.cloudplane.workflows.environment.DatabaseActivities;
import io.cloudplane.workflows.server.RuntimeActivities;
import io.cloudplane.workflows.operation.OperationTracker;
import io.temporal.activity.ActivityOptions;
import io.temporal.testing.WorkflowReplayer;
import java.time.Duration;
import io.temporal.workflow.Workflow;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;

/** Saved histories must replay against today's code: a change without Workflow.getVersion breaks them. */
class ReplayTest {

    @ParameterizedTest
    @CsvSource({
            "ProvisionEnvironmentWorkflow/succeeded.json, io.cloudplane.workflows.environment.ProvisionEnvironmentWorkflowImpl",
            "ProvisionEnvironmentWorkflow/failed-health.json, io.cloudplane.workflows.environment.ProvisionEnvironmentWorkflowImpl",
            "ProvisionEnvironmentWorkflow/failed-health-with-server-removal.json, io.cloudplane.workflows.environment.ProvisionEnvironmentWorkflowImpl",
            "DeleteEnvironmentWorkflow/succeeded.json, io.cloudplane.workflows.environment.DeleteEnvironmentWorkflowImpl",
            "DeleteEnvironmentWorkflow/succeeded-with-backups.json, io.cloudplane.workflows.environment.DeleteEnvironmentWorkflowImpl",
            "DeleteApplicationWorkflow/succeeded.json, io.cloudplane.workflows.app.DeleteApplicationWorkflowImpl",
            "StopServerWorkflow/stopped.json, io.cloudplane.workflows.server.ServerActionWorkflowsImpl$Stop",
            "StartServerWorkflow/started.json, io.cloudplane.workflows.server.ServerActionWorkflowsImpl$Start",
            "RestartServerWorkflow/failed-health.json, io.cloudplane.workflows.server.ServerActionWorkflowsImpl$Restart",
            "RestartServerWorkflow/failed-health-in-place.json, io.cloudplane.workflows.server.ServerActionWorkflowsImpl$Restart",
            "SandboxLifecycleWorkflow/deleted.json, io.cloudplane.workflows.sandbox.SandboxLifecycleWorkflowImpl",
            "SandboxLifecycleWorkflow/woken.json, io.cloudplane.workflows.sandbox.SandboxLifecycleWorkflowImpl",
            "SandboxLifecycleWorkflow/deleted-sleep-v1.json, io.cloudplane.workflows.sandbox.SandboxLifecycleWorkflowImpl",
            "SandboxLifecycleWorkflow/woken-sleep-v1.json, io.cloudplane.workflows.sandbox.SandboxLifecycleWorkflowImpl",
            "BackupWorkflow/completed.json, io.cloudplane.workflows.backup.BackupWorkflowImpl",
            "BackupWorkflow/failed-upload.json, io.cloudplane.workflows.backup.BackupWorkflowImpl",
            "BackupScheduleWorkflow/daily-slot.json, io.cloudplane.workflows.backup.BackupScheduleWorkflowImpl",
            "RestoreWorkflow/restored.json, io.cloudplane.workflows.backup.RestoreWorkflowImpl",
            "RestoreWorkflow/reverted.json, io.cloudplane.workflows.backup.RestoreWorkflowImpl",
            // delete-code-with-environment and delete-releases-with-application at version 1; the files
            // above are older runs, without those markers, and keep replaying.
            "DeleteEnvironmentWorkflow/succeeded-with-code.json, io.cloudplane.workflows.environment.DeleteEnvironmentWorkflowImpl",
            "DeleteEnvironmentWorkflow/succeeded-with-server-removal.json, io.cloudplane.workflows.environment.DeleteEnvironmentWorkflowImpl",
            "DeleteEnvironmentWorkflow/child-of-app-delete.json, io.cloudplane.workflows.environment.DeleteEnvironmentWorkflowImpl",
            "DeleteApplicationWorkflow/succeeded-with-releases.json, io.cloudplane.workflows.app.DeleteApplicationWorkflowImpl",
            "DeployReleaseWorkflow/succeeded.json, io.cloudplane.workflows.release.DeployReleaseWorkflowImpl",
            "DeployReleaseWorkflow/rolled-back.json, io.cloudplane.workflows.release.DeployReleaseWorkflowImpl",
            "PromotionWorkflow/approved.json, io.cloudplane.workflows.release.PromotionWorkflowImpl",
            "PromotionWorkflow/expired.json, io.cloudplane.workflows.release.PromotionWorkflowImpl",
            "CreateReleaseWorkflow/succeeded.json, io.cloudplane.workflows.release.CreateReleaseWorkflowImpl",
            "CloneApplicationWorkflow/succeeded.json, io.cloudplane.workflows.app.CloneApplicationWorkflowImpl",
            "UpdateServerWorkflow/succeeded.json, io.cloudplane.workflows.server.UpdateServerWorkflowImpl",
            "UpdateServerWorkflow/rolled-back.json, io.cloudplane.workflows.server.UpdateServerWorkflowImpl",
    })
    void savedHistoryReplays(String history, Class<?> implementation) throws Exception {
        WorkflowReplayer.replayWorkflowExecutionFromResource("histories/" + history, implementation);
    }

    /** The same history against a provisioning that skips a step must be refused as non-deterministic. */
    @Test
    void aChangeWithoutVersioningIsCaught() {
        assertThrows(RuntimeException.class, () -> WorkflowReplayer.replayWorkflowExecutionFromResource(
                "histories/ProvisionEnvironmentWorkflow/succeeded.json", ProvisionWithoutFolders.class));
    }

    public static class ProvisionWithoutFolders implements ProvisionEnvironmentWorkflow {
        private static final ActivityOptions OPTIONS = ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(30)).build();

        @Override
        public void provision(ProvisionRequest request) {
            // Same workflow type, but the folder step was dropped without Workflow.getVersion.
            var databases = Workflow.newActivityStub(DatabaseActivities.class, OPTIONS);
            var runtime = Workflow.newActivityStub(RuntimeActivities.class, OPTIONS);
            var operation = new OperationTracker(request.operationId());
            operation.started();
            operation.step("create-database", () -> databases.createDatabase(request.envId()));
            operation.step("start-server", () -> runtime.startServer(request.envId()));
            operation.succeeded();
        }
    }

    @SuppressWarnings("unused")
    private static final Class<?>[] KEEP = {DeleteEnvironmentWorkflowImpl.class, DeleteApplicationWorkflowImpl.class};
}
