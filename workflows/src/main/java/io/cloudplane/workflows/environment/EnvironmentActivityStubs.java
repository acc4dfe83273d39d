package io.cloudplane.workflows.environment;

import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.server.RuntimeActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;

import java.time.Duration;

/**
 * The activity stubs that environment workflows share, with timeouts per kind of work. Errors of
 * type {@code InvalidInput} and {@code NotFound} are not retried: retrying cannot fix them.
 */
public final class EnvironmentActivityStubs {
    static final String[] NON_RETRYABLE = FailureType.types(FailureType.INVALID_INPUT, FailureType.NOT_FOUND);

    public final DatabaseActivities databases;
    public final FileActivities files;
    public final RuntimeActivities runtime;
    public final RuntimeActivities health;
    public final EnvironmentActivities environments;

    public EnvironmentActivityStubs() {
        RetryOptions retry = RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofMillis(500))
                .setMaximumInterval(Duration.ofSeconds(30))
                .setMaximumAttempts(6)
                .setDoNotRetry(NON_RETRYABLE)
                .build();
        ActivityOptions quick = ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setRetryOptions(retry)
                .build();
        ActivityOptions serverStart = ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(2))
                .setRetryOptions(retry)
                .build();
        ActivityOptions healthWait = ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(3))
                .setHeartbeatTimeout(Duration.ofSeconds(10))
                .setRetryOptions(RetryOptions.newBuilder()
                        .setMaximumAttempts(2)
                        .setDoNotRetry(NON_RETRYABLE)
                        .build())
                .build();
        databases = Workflow.newActivityStub(DatabaseActivities.class, quick);
        files = Workflow.newActivityStub(FileActivities.class, quick);
        runtime = Workflow.newActivityStub(RuntimeActivities.class, serverStart);
        health = Workflow.newActivityStub(RuntimeActivities.class, healthWait);
        environments = Workflow.newActivityStub(EnvironmentActivities.class, quick);
    }

    /**
     * Removes everything an environment owns; every call is "delete if present". From change
     * {@code remove-server-with-environment}, also what the runtime keeps (Kubernetes objects), so a
     * failed provisioning or clone leaves none behind either.
     */
    public void tearDown(String envId) {
        runtime.stopServer(envId);
        if (io.temporal.workflow.Workflow.getVersion(io.cloudplane.workflows.common.ChangeIds.REMOVE_SERVER_WITH_ENVIRONMENT,
                io.temporal.workflow.Workflow.DEFAULT_VERSION, 1) == 1) {
            runtime.removeServer(envId);
        }
        databases.dropDatabase(envId);
        files.deleteFolders(envId);
    }
}
