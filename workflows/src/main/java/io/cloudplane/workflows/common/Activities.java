package io.cloudplane.workflows.common;

import io.cloudplane.workflows.backup.BackupActivities;
import io.cloudplane.workflows.backup.BackupScheduleActivities;
import io.cloudplane.workflows.backup.RestoreActivities;
import io.cloudplane.workflows.code.CodeActivities;
import io.cloudplane.workflows.domain.DomainActivities;
import io.cloudplane.workflows.environment.DatabaseActivities;
import io.cloudplane.workflows.environment.EnvironmentActivities;
import io.cloudplane.workflows.environment.FileActivities;
import io.cloudplane.workflows.operation.OperationActivities;
import io.cloudplane.workflows.release.DeploymentActivities;
import io.cloudplane.workflows.release.PromotionActivities;
import io.cloudplane.workflows.release.ReleaseActivities;
import io.cloudplane.workflows.sandbox.SandboxActivities;
import io.cloudplane.workflows.server.RuntimeActivities;
import io.cloudplane.workflows.server.ServerUpdateActivities;
import io.cloudplane.workflows.team.MembershipActivities;
import io.cloudplane.workflows.team.InvitationActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.common.metadata.POJOActivityInterfaceMetadata;
import io.temporal.common.metadata.POJOActivityMethodMetadata;
import io.temporal.workflow.Workflow;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The activity stubs of every workflow, and the one place where each activity's timeouts and retry
 * policy are set: a workflow writes {@code Activities.runtime()} and never builds options itself.
 * Each interface has default options for its usual calls and per-method options for the others
 * (the method names are checked when this class loads).
 *
 * <p>Options are not part of replay, but a running workflow's next calls take the new values:
 * change them deliberately.
 */
public final class Activities {
    /** Retrying cannot fix these: a bad request, or a resource that is gone. */
    private static final String[] BAD_INPUT = FailureType.types(FailureType.INVALID_INPUT, FailureType.NOT_FOUND);
    /** Moving code (a copy, a download, an unpack): a bad or tampered archive is not fetched again. */
    private static final String[] BAD_CODE = FailureType.types(FailureType.NOT_FOUND, FailureType.INVALID_INPUT, FailureType.DIGEST_MISMATCH);
    /** A release whose source is gone or invalid (in the order the snapshot always listed them). */
    private static final String[] BAD_RELEASE = FailureType.types(FailureType.NOT_FOUND, FailureType.INVALID_INPUT);
    private static final String[] BAD_DEPLOYMENT = FailureType.types(FailureType.NOT_FOUND, FailureType.INVALID_INPUT,
            FailureType.DIGEST_MISMATCH, FailureType.HOSTILE_ARCHIVE);
    private static final String[] BAD_RESTORE = FailureType.types(FailureType.NOT_FOUND, FailureType.INVALID_INPUT, FailureType.RESTORE_MISMATCH);
    /** A promotion does not wait for a busy environment, nor for a staging that no longer runs the release. */
    private static final String[] BAD_PROMOTION = FailureType.types(FailureType.ENVIRONMENT_BUSY, FailureType.NOT_FOUND,
            FailureType.INVALID_INPUT, FailureType.RELEASE_NOT_RUNNING);

    /** An authority's refusal, or a domain that is gone: another attempt would get the same answer. */
    private static final String[] CERTIFICATE_REFUSED = FailureType.types(FailureType.CERTIFICATE_REFUSED, FailureType.NOT_FOUND,
            FailureType.INVALID_INPUT);

    /** Clean-up and records that must not be left half-done: retried until they work, at least once a minute. */
    private static final RetryOptions UNTIL_DONE = RetryOptions.newBuilder().setMaximumInterval(Duration.ofMinutes(1)).build();
    /** The environment's own resources: a few quick attempts, so that a failure is reported within a minute or so. */
    private static final RetryOptions FEW_QUICK_ATTEMPTS = RetryOptions.newBuilder().setInitialInterval(Duration.ofMillis(500))
            .setMaximumInterval(Duration.ofSeconds(30)).setMaximumAttempts(6).setDoNotRetry(BAD_INPUT).build();

    // The environment: its database, folders and records, and its server.
    private static final ActivityOptions QUICK = options(Duration.ofSeconds(30), null, FEW_QUICK_ATTEMPTS);
    private static final Map<String, ActivityOptions> ENVIRONMENT_METHODS = methods(EnvironmentActivities.class)
            .set(options(Duration.ofSeconds(30), null, RetryOptions.newBuilder().setMaximumAttempts(6).build()),
                    "listEnvironmentIds", "forgetApplication")
            .build();
    private static final ActivityOptions SERVER_ACTION = options(Duration.ofMinutes(2), null, FEW_QUICK_ATTEMPTS);
    // awaitHealthy heartbeats between probes; 30 s, not 10, because with 50 servers starting at once on
    // 2 cores a heartbeat came late and the provisioning failed with an empty reason (LoadBenchmark).
    private static final Map<String, ActivityOptions> RUNTIME_METHODS = methods(RuntimeActivities.class)
            .set(options(Duration.ofMinutes(3), Duration.ofSeconds(30),
                    RetryOptions.newBuilder().setMaximumAttempts(2).setDoNotRetry(BAD_INPUT).build()), "awaitHealthy")
            .build();

    // Code, releases and deployments.
    private static final ActivityOptions CODE_REMOVAL = options(Duration.ofMinutes(10), null, UNTIL_DONE);
    private static final ActivityOptions CODE_TRANSFER = options(Duration.ofMinutes(30), Duration.ofMinutes(1),
            RetryOptions.newBuilder().setMaximumAttempts(4).setDoNotRetry(BAD_CODE).build());
    private static final Map<String, ActivityOptions> CODE_METHODS = methods(CodeActivities.class)
            .set(CODE_TRANSFER, "copyCode", "installCode")
            .build();
    private static final Map<String, ActivityOptions> RELEASE_METHODS = methods(ReleaseActivities.class)
            .set(options(Duration.ofMinutes(10), null, RetryOptions.newBuilder().setMaximumAttempts(5).setDoNotRetry(BAD_RELEASE).build()),
                    "snapshot")
            .set(options(Duration.ofMinutes(2), null, UNTIL_DONE), "markFailed")
            .build();
    /** Putting the previous code back and recording the outcome: retried until they work. */
    private static final ActivityOptions DEPLOYMENT_RECORD = options(Duration.ofMinutes(10), null, UNTIL_DONE);
    /** A deployment's own steps: a few attempts, then the deployment is FAILED rather than left hanging. */
    private static final ActivityOptions DEPLOYMENT_STEP = options(Duration.ofMinutes(30), Duration.ofMinutes(1),
            RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(1)).setMaximumAttempts(4).setDoNotRetry(BAD_DEPLOYMENT)
                    .build());
    private static final Map<String, ActivityOptions> DEPLOYMENT_METHODS = methods(DeploymentActivities.class)
            .set(DEPLOYMENT_STEP, "begin", "stage", "activate")
            .set(options(Duration.ofSeconds(30), null, RetryOptions.newBuilder().setMaximumAttempts(5).setDoNotRetry(BAD_PROMOTION)
                    .build()), "prepare", "requireRunning")
            .build();

    // Backups and restores: the data steps stream for hours and heartbeat; the records are retried until done.
    private static final ActivityOptions BACKUP_RECORD = options(Duration.ofMinutes(10), null,
            RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(1)).setMaximumInterval(Duration.ofMinutes(1)).build());
    private static final Map<String, ActivityOptions> BACKUP_METHODS = methods(BackupActivities.class)
            .set(options(Duration.ofHours(6), Duration.ofMinutes(2),
                            RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(2)).setMaximumAttempts(3).build()),
                    "dumpDatabase", "archiveFiles", "writeManifest", "verify")
            .set(options(Duration.ofMinutes(10), null, UNTIL_DONE), "deleteEnvironmentBackups")
            .build();
    /** Putting an environment's own data back, and dropping what was kept aside. */
    private static final ActivityOptions RESTORE_UNDO = options(Duration.ofMinutes(30), null, UNTIL_DONE);
    private static final Map<String, ActivityOptions> RESTORE_METHODS = methods(RestoreActivities.class)
            .set(options(Duration.ofHours(6), Duration.ofMinutes(2),
                            RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(2)).setMaximumAttempts(3).setDoNotRetry(BAD_RESTORE)
                                    .build()),
                    "restoreDatabase", "swapDatabase", "restoreFiles")
            .build();
    private static final ActivityOptions SAFETY_RESTORE = options(Duration.ofHours(6), Duration.ofMinutes(2),
            RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(2)).setMaximumAttempts(5).build());

    // Server updates.
    private static final ActivityOptions SERVER_UPDATE_STEP = options(Duration.ofMinutes(2), null,
            RetryOptions.newBuilder().setInitialInterval(Duration.ofMillis(500)).setMaximumInterval(Duration.ofSeconds(30))
                    .setMaximumAttempts(5).setDoNotRetry(BAD_INPUT).build());
    /**
     * Putting the previous version back and recording the outcome are retried until they work (a
     * database that is away for an hour must not leave the environment UPDATING for good), unless
     * plainly impossible.
     */
    private static final Map<String, ActivityOptions> SERVER_UPDATE_METHODS = methods(ServerUpdateActivities.class)
            .set(options(Duration.ofMinutes(2), null, RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(1))
                    .setMaximumInterval(Duration.ofMinutes(1)).setMaximumAttempts(0).setDoNotRetry(BAD_INPUT).build()),
                    "abandonServerUpdate", "finishServerUpdate")
            .build();

    // The sandbox lifecycle, and the rows that workflows keep up to date.
    private static final RetryOptions SANDBOX_RETRY = RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(1))
            .setMaximumInterval(Duration.ofMinutes(5)).build();
    /**
     * A local activity with unlimited attempts must have a schedule-to-close timeout: without one the
     * SDK treats its retry policy as not set and never retries it (LocalActivityWorker.isRetryPolicyNotSet),
     * so the first failure failed the workflow. This is the bound of all its attempts together.
     */
    private static final Duration LOCAL_RETRIES_FOR = Duration.ofDays(7);
    /** A row written as a local activity: short, and retried with backoff for as long as it fails. */
    private static final LocalActivityOptions ROW_WRITE = LocalActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(10))
            .setScheduleToCloseTimeout(LOCAL_RETRIES_FOR)
            .setRetryOptions(RetryOptions.newBuilder().setMaximumInterval(Duration.ofSeconds(5)).build())
            .build();

    private Activities() {
    }

    public static DatabaseActivities databases() {
        return Workflow.newActivityStub(DatabaseActivities.class, QUICK);
    }

    public static FileActivities files() {
        return Workflow.newActivityStub(FileActivities.class, QUICK);
    }

    public static EnvironmentActivities environments() {
        return Workflow.newActivityStub(EnvironmentActivities.class, QUICK, ENVIRONMENT_METHODS);
    }

    /** The server's start, stop, restart and removal take two minutes; a health check three, heartbeating. */
    public static RuntimeActivities runtime() {
        return Workflow.newActivityStub(RuntimeActivities.class, SERVER_ACTION, RUNTIME_METHODS);
    }

    /** As {@link #runtime()}, and {@code awaitHealthyWithin} has the caller's health timeout, plus 30 seconds to report. */
    public static RuntimeActivities runtime(int healthTimeoutSeconds) {
        return Workflow.newActivityStub(RuntimeActivities.class, SERVER_ACTION, methods(RuntimeActivities.class, RUNTIME_METHODS)
                .set(healthCheckWithin(healthTimeoutSeconds), "awaitHealthyWithin").build());
    }

    /** Copying and installing code: half an hour, heartbeating; deleting an environment's code: until done. */
    public static CodeActivities code() {
        return Workflow.newActivityStub(CodeActivities.class, CODE_REMOVAL, CODE_METHODS);
    }

    /** As {@link #code()}, but {@code deleteCode} has two minutes: it removes the one object a failed clone copied. */
    public static CodeActivities cloneCleanUp() {
        return Workflow.newActivityStub(CodeActivities.class, CODE_REMOVAL, methods(CodeActivities.class, CODE_METHODS)
                .set(options(Duration.ofMinutes(2), null, UNTIL_DONE), "deleteCode").build());
    }

    public static ReleaseActivities releases() {
        return Workflow.newActivityStub(ReleaseActivities.class, options(Duration.ofMinutes(10), null, UNTIL_DONE), RELEASE_METHODS);
    }

    /**
     * A deployment's steps ({@code begin}, {@code stage}, {@code activate}) have a few attempts;
     * putting the previous code back and recording the outcome ({@code revertCode},
     * {@code markDataRestored}, {@code finish}) are retried until they work. A promotion's checks
     * ({@code prepare}, {@code requireRunning}) are quick.
     */
    public static DeploymentActivities deployments() {
        return Workflow.newActivityStub(DeploymentActivities.class, DEPLOYMENT_RECORD, DEPLOYMENT_METHODS);
    }

    /**
     * As {@link #deployments()}, but {@code finish} is one of the deployment's steps: a deployment
     * that has nothing to do records its outcome with a few attempts, and is FAILED if that fails.
     */
    public static DeploymentActivities noOpDeployments() {
        return Workflow.newActivityStub(DeploymentActivities.class, DEPLOYMENT_RECORD, methods(DeploymentActivities.class, DEPLOYMENT_METHODS)
                .set(DEPLOYMENT_STEP, "finish").build());
    }

    /** The data steps have six hours and three attempts, heartbeating; the records are retried until done. */
    public static BackupActivities backups() {
        return Workflow.newActivityStub(BackupActivities.class, BACKUP_RECORD, BACKUP_METHODS);
    }

    public static BackupScheduleActivities backupSchedules() {
        return Workflow.newActivityStub(BackupScheduleActivities.class, options(Duration.ofSeconds(30), null, UNTIL_DONE));
    }

    /** A restore's data steps have six hours and three attempts, heartbeating; putting the environment's own data back is retried until done. */
    public static RestoreActivities restores() {
        return Workflow.newActivityStub(RestoreActivities.class, RESTORE_UNDO, RESTORE_METHODS);
    }

    /**
     * A failed deployment's restore of its safety backup: every call, the revert of a half-done
     * restore included, has six hours and five attempts, heartbeating.
     */
    public static RestoreActivities safetyRestores() {
        return Workflow.newActivityStub(RestoreActivities.class, SAFETY_RESTORE);
    }

    /**
     * A server update's steps have a few attempts; putting the previous version back and recording
     * the outcome are retried until done; the new server's health check has the caller's timeout,
     * plus 30 seconds to report, and one attempt.
     */
    public static ServerUpdateActivities serverUpdates(int healthTimeoutSeconds) {
        return Workflow.newActivityStub(ServerUpdateActivities.class, SERVER_UPDATE_STEP,
                methods(ServerUpdateActivities.class, SERVER_UPDATE_METHODS)
                        .set(healthCheckWithin(healthTimeoutSeconds), "awaitUpdatedServerHealthy").build());
    }

    /** The lifecycle's operations, refusals and emails: half a minute each, retried with backoff for as long as they fail. */
    public static SandboxActivities sandbox() {
        return Workflow.newActivityStub(SandboxActivities.class, options(Duration.ofSeconds(30), null, SANDBOX_RETRY));
    }

    /**
     * The sleep, as a local activity: one workflow task per sleep instead of three, which is what
     * lets a burst of 10,000 sleeps finish within a minute (docs/benchmarks.md). It is short
     * (database rows, one server stop, one email) and retried with backoff for as long as it fails.
     */
    public static SandboxActivities sandboxSleep() {
        return Workflow.newLocalActivityStub(SandboxActivities.class, LocalActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(60)).setScheduleToCloseTimeout(LOCAL_RETRIES_FOR)
                .setRetryOptions(SANDBOX_RETRY).build());
    }

    /**
     * A person's memberships read, and declared in the identity provider (Cognito's API, or nothing
     * for local accounts): half a minute each, retried with backoff for as long as they fail, since
     * a declaration left behind would give a removed person a profile they no longer have.
     */
    public static MembershipActivities memberships() {
        return Workflow.newActivityStub(MembershipActivities.class, options(Duration.ofSeconds(30), null, UNTIL_DONE));
    }

    /**
     * An invitation's email and its expiry: half a minute each, retried with backoff (at most every
     * five minutes) for as long as they fail, unless the invitation is gone.
     */
    public static InvitationActivities invitations() {
        return Workflow.newActivityStub(InvitationActivities.class, options(Duration.ofSeconds(30), null,
                RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(1)).setMaximumInterval(Duration.ofMinutes(5))
                        .setDoNotRetry(BAD_INPUT).build()));
    }

    /**
     * A custom domain's rows, DNS checks, route and emails: two minutes each (a DNS check may walk
     * from the root to the domain's name servers), retried with backoff (at most every five minutes)
     * for as long as they fail.
     */
    public static DomainActivities domains() {
        return Workflow.newActivityStub(DomainActivities.class, options(Duration.ofMinutes(2), null,
                RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(1)).setMaximumInterval(Duration.ofMinutes(5))
                        .setDoNotRetry(BAD_INPUT).build()));
    }

    /**
     * A domain's first certificate: ten minutes an attempt, heartbeating while the authority works; a
     * refusal is not retried, an authority out of reach is, with backoff for about two hours (then the
     * domain is FAILED with the reason rather than left ISSUING).
     */
    public static DomainActivities domainIssuance() {
        return Workflow.newActivityStub(DomainActivities.class, options(Duration.ofMinutes(10), Duration.ofMinutes(1),
                RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(10)).setMaximumInterval(Duration.ofMinutes(15))
                        .setMaximumAttempts(10).setDoNotRetry(CERTIFICATE_REFUSED).build()));
    }

    /** A renewal: three quick attempts; the workflow tries again later, with its own back-off from minutes to hours. */
    public static DomainActivities domainRenewal() {
        return Workflow.newActivityStub(DomainActivities.class, options(Duration.ofMinutes(10), Duration.ofMinutes(1),
                RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(10)).setMaximumAttempts(3)
                        .setDoNotRetry(CERTIFICATE_REFUSED).build()));
    }

    /** An operation's progress, written to its row as a local activity. */
    public static OperationActivities operationReports() {
        return Workflow.newLocalActivityStub(OperationActivities.class, ROW_WRITE);
    }

    /** A promotion's state, written to its row as a local activity. */
    public static PromotionActivities promotionReports() {
        return Workflow.newLocalActivityStub(PromotionActivities.class, ROW_WRITE);
    }

    /** A health check with the caller's own limit: it heartbeats, fails once, and has 30 seconds beyond the limit to say so. */
    private static ActivityOptions healthCheckWithin(int timeoutSeconds) {
        return options(Duration.ofSeconds(timeoutSeconds + 30L), Duration.ofSeconds(30), RetryOptions.newBuilder().setMaximumAttempts(1).build());
    }

    private static ActivityOptions options(Duration startToClose, Duration heartbeat, RetryOptions retry) {
        return ActivityOptions.newBuilder().setStartToCloseTimeout(startToClose).setHeartbeatTimeout(heartbeat).setRetryOptions(retry)
                .build();
    }

    private static MethodOptions methods(Class<?> activities) {
        return new MethodOptions(activities, Map.of());
    }

    private static MethodOptions methods(Class<?> activities, Map<String, ActivityOptions> base) {
        return new MethodOptions(activities, base);
    }

    /**
     * Per-method options, keyed by activity type as Temporal wants them, from method names that must
     * exist. Each entry sets a start-to-close timeout and a retry policy, and has no heartbeat where
     * its interface's default has none: Temporal fills what an entry leaves unset from the default.
     */
    private static final class MethodOptions {
        private final Map<String, String> typeOfMethod = new HashMap<>();
        private final Map<String, ActivityOptions> options;

        MethodOptions(Class<?> activities, Map<String, ActivityOptions> base) {
            for (POJOActivityMethodMetadata method : POJOActivityInterfaceMetadata.newInstance(activities).getMethodsMetadata()) {
                typeOfMethod.put(method.getMethod().getName(), method.getActivityTypeName());
            }
            this.options = new HashMap<>(base);
        }

        MethodOptions set(ActivityOptions methodOptions, String... methodNames) {
            for (String name : methodNames) {
                String type = typeOfMethod.get(name);
                if (type == null) {
                    throw new IllegalStateException("no activity method " + name + " in " + typeOfMethod.keySet());
                }
                options.put(type, methodOptions);
            }
            return this;
        }

        Map<String, ActivityOptions> build() {
            return Map.copyOf(options);
        }
    }
}
