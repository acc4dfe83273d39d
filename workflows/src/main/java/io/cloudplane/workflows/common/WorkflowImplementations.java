package io.cloudplane.workflows.common;

import io.cloudplane.workflows.app.CloneApplicationWorkflowImpl;
import io.cloudplane.workflows.app.DeleteApplicationWorkflowImpl;
import io.cloudplane.workflows.backup.BackupScheduleWorkflowImpl;
import io.cloudplane.workflows.backup.BackupWorkflowImpl;
import io.cloudplane.workflows.backup.RestoreWorkflowImpl;
import io.cloudplane.workflows.domain.DomainWorkflowImpl;
import io.cloudplane.workflows.environment.DeleteEnvironmentWorkflowImpl;
import io.cloudplane.workflows.environment.ProvisionEnvironmentWorkflowImpl;
import io.cloudplane.workflows.release.CreateReleaseWorkflowImpl;
import io.cloudplane.workflows.release.DeployReleaseWorkflowImpl;
import io.cloudplane.workflows.release.PromotionWorkflowImpl;
import io.cloudplane.workflows.sandbox.SandboxLifecycleWorkflowImpl;
import io.cloudplane.workflows.server.ServerActionWorkflowsImpl;
import io.cloudplane.workflows.server.UpdateServerWorkflowImpl;
import io.cloudplane.workflows.team.MembershipSyncWorkflowImpl;
import io.cloudplane.workflows.team.InvitationWorkflowImpl;

import java.util.List;

/**
 * Every workflow the control-plane worker runs. The worker registers them by type, so that
 * Temporal makes a fresh instance for every execution. A new workflow is one line here.
 */
public final class WorkflowImplementations {
    public static final List<Class<?>> ALL = List.of(
            ProvisionEnvironmentWorkflowImpl.class,
            DeleteEnvironmentWorkflowImpl.class,
            DeleteApplicationWorkflowImpl.class,
            ServerActionWorkflowsImpl.Stop.class,
            ServerActionWorkflowsImpl.Start.class,
            ServerActionWorkflowsImpl.Restart.class,
            UpdateServerWorkflowImpl.class,
            SandboxLifecycleWorkflowImpl.class,
            BackupWorkflowImpl.class,
            BackupScheduleWorkflowImpl.class,
            RestoreWorkflowImpl.class,
            CreateReleaseWorkflowImpl.class,
            DeployReleaseWorkflowImpl.class,
            PromotionWorkflowImpl.class,
            CloneApplicationWorkflowImpl.class,
            MembershipSyncWorkflowImpl.class,
            InvitationWorkflowImpl.class,
            DomainWorkflowImpl.class);

    private WorkflowImplementations() {
    }
}
