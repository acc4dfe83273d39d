package io.cloudplane.workflows.environment;

import io.cloudplane.workflows.common.Activities;
import io.cloudplane.workflows.common.ChangeIds;
import io.cloudplane.workflows.operation.OperationTracker;
import io.cloudplane.workflows.server.RuntimeActivities;
import io.temporal.workflow.Workflow;

/**
 * Removes everything an environment owns; every call is "delete if present". From change
 * {@code remove-server-with-environment}, also what the runtime keeps (Kubernetes objects), so a
 * failed provisioning or clone leaves none behind either.
 */
public final class EnvironmentTeardown {
    private EnvironmentTeardown() {
    }

    /** The teardown as part of a larger step (a failed provisioning's clean-up): its parts are not reported. */
    public static void tearDown(String envId) {
        tearDown(envId, OperationTracker.untracked());
    }

    /** The teardown with each part a step of {@code operation}. */
    public static void tearDown(String envId, OperationTracker operation) {
        RuntimeActivities runtime = Activities.runtime();
        operation.step("stop-server", () -> runtime.stopServer(envId));
        if (Workflow.getVersion(ChangeIds.REMOVE_SERVER_WITH_ENVIRONMENT, Workflow.DEFAULT_VERSION, 1) == 1) {
            operation.step("remove-server", () -> runtime.removeServer(envId));
        }
        operation.step("drop-database", () -> Activities.databases().dropDatabase(envId));
        operation.step("delete-folders", () -> Activities.files().deleteFolders(envId));
    }
}
