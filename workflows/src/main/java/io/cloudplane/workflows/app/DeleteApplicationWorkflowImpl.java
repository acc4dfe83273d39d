package io.cloudplane.workflows.app;

import io.cloudplane.workflows.common.Activities;
import io.cloudplane.workflows.sandbox.SandboxActivities;
import io.cloudplane.workflows.environment.EnvironmentActivities;
import io.cloudplane.workflows.common.ChangeIds;
import io.cloudplane.workflows.operation.OperationTracker;
import io.cloudplane.workflows.release.ReleaseActivities;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.environment.DeleteEnvironmentRequest;
import io.cloudplane.workflows.environment.DeleteEnvironmentWorkflow;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;

import java.util.ArrayList;
import java.util.List;

/**
 * Environments are deleted in parallel, each by its own child workflow; then the app's releases in
 * object storage (from change {@code delete-releases-with-application}); a sandbox's farewell email
 * (from change {@code farewell-before-forget}); the app record goes last.
 */
public class DeleteApplicationWorkflowImpl implements DeleteApplicationWorkflow {
    private final EnvironmentActivities environments = Activities.environments();
    private final ReleaseActivities releases = Activities.releases();
    private final SandboxActivities sandbox = Activities.sandbox();

    @Override
    public void delete(DeleteApplicationRequest request) {
        OperationTracker operation = new OperationTracker(request.operationId());
        operation.started();
        try {
            List<String> envIds = operation.step("list-environments",
                    () -> environments.listEnvironmentIds(request.appId()));
            operation.step("delete-environments", () -> {
                List<Promise<Void>> deletions = new ArrayList<>();
                for (String envId : envIds) {
                    DeleteEnvironmentWorkflow child = Workflow.newChildWorkflowStub(DeleteEnvironmentWorkflow.class,
                            ChildWorkflowOptions.newBuilder()
                                    .setWorkflowId(WorkflowIds.deleteEnvironment(envId))
                                    .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
                                    .build());
                    deletions.add(Async.procedure(child::delete, new DeleteEnvironmentRequest(null, request.appId(), envId)));
                }
                Promise.allOf(deletions).get();
                for (Promise<Void> deletion : deletions) {
                    deletion.get();
                }
            });
            if (Workflow.getVersion(ChangeIds.DELETE_RELEASES_WITH_APPLICATION, Workflow.DEFAULT_VERSION, 1) == 1) {
                operation.step("delete-releases", () -> releases.deleteAppReleases(request.appId()));
            }
            if (request.farewell() != null
                    && Workflow.getVersion(ChangeIds.FAREWELL_BEFORE_FORGET, Workflow.DEFAULT_VERSION, 1) == 1) {
                operation.step("farewell", () -> sandbox.sendSandboxMail(request.farewell()));
            }
            operation.step("forget-application", () -> environments.forgetApplication(request.appId()));
            operation.succeeded();
        } catch (TemporalFailure failure) {
            operation.failed(OperationTracker.reason(failure));
            throw failure;
        }
    }
}
