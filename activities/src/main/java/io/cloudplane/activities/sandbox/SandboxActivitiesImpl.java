package io.cloudplane.activities.sandbox;

import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.activities.environment.EnvironmentLookup;
import io.cloudplane.activities.operation.OperationProgressRecorder;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.runtime.EnvironmentRuntime;
import io.cloudplane.infra.mail.Mailer;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.infra.mail.SentMailRepository;
import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.workflows.operation.OperationRef;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.workflows.operation.OperationType;
import io.cloudplane.workflows.sandbox.SandboxActivities;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationProgress;
import io.cloudplane.workflows.operation.OperationStep;
import io.cloudplane.workflows.operation.StepStatus;
import io.cloudplane.workflows.sandbox.SandboxMail;
import io.cloudplane.workflows.sandbox.SleepRequest;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import io.cloudplane.infra.config.CloudplaneSettings;
import io.micronaut.data.exceptions.DataAccessException;
import io.cloudplane.workflows.common.FailureType;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

@Singleton
public class SandboxActivitiesImpl implements SandboxActivities, ControlPlaneActivities {
    private static final Set<OperationType> LIFECYCLE_OPERATIONS =
            EnumSet.of(OperationType.SLEEP_SANDBOX, OperationType.WAKE_SANDBOX, OperationType.DELETE_APPLICATION);
    private final OperationRepository operations;
    private final AppRepository apps;
    private final UserRepository users;
    private final SentMailRepository sent;
    private final Mailer mailer;
    private final String consoleUrl;
    private final EnvironmentLookup lookup;
    private final EnvironmentRepository environments;
    private final EnvironmentRuntime runtime;
    private final OperationProgressRecorder progress;

    public SandboxActivitiesImpl(OperationRepository operations, AppRepository apps, UserRepository users, SentMailRepository sent,
                                 Mailer mailer, CloudplaneSettings settings,
                                 EnvironmentLookup lookup, EnvironmentRepository environments, EnvironmentRuntime runtime,
                                 OperationProgressRecorder progress) {
        this.operations = operations;
        this.apps = apps;
        this.users = users;
        this.sent = sent;
        this.mailer = mailer;
        this.consoleUrl = settings.consoleUrl();
        this.lookup = lookup;
        this.environments = environments;
        this.runtime = runtime;
        this.progress = progress;
    }

    @Override
    public String beginOperation(String key, String appId, String envId, OperationType opType, String actorUserId) {
        if (!LIFECYCLE_OPERATIONS.contains(opType)) {
            throw FailureType.INVALID_INPUT.nonRetryable(opType + " is not a lifecycle operation");
        }
        // Keyed by the sandbox or its environment, not by the operation's own ID.
        String workflowId = opType.workflowId(new OperationRef(null, appId, envId));
        return begin(key, opType, appId, envId, actorUserId, workflowId).toString();
    }

    /** The ID derives from the key: a retried activity finds the operation it wrote before. */
    private UUID begin(String key, OperationType opType, String appId, String envId, String actorUserId,
                       String workflowId) {
        UUID id = UUID.nameUUIDFromBytes((appId + "/" + key).getBytes(StandardCharsets.UTF_8));
        if (opType == OperationType.DELETE_APPLICATION) {
            // A lifecycle started again after a crash keys its deletion by what the database kept, not by the lost run's
            // clock: the unfinished deletion that run began (the system's, no actor) is this one, carried on.
            id = operations.findUnfinishedForApp(UUID.fromString(appId)).stream()
                    .filter(op -> op.type() == OperationType.DELETE_APPLICATION && op.userId() == null)
                    .map(OperationRecord::id)
                    .findFirst().orElse(id);
        }
        if (!operations.existsById(id)) {
            insert(id, opType, appId, envId, actorUserId, workflowId);
        }
        if (opType == OperationType.DELETE_APPLICATION) {
            // Also on a retry: an attempt that inserted the row may have died before this line.
            apps.updateStatus(UUID.fromString(appId), AppRecord.AppStatus.DELETING, Instant.now());
        }
        return id;
    }

    private void insert(UUID id, OperationType opType, String appId, String envId, String actorUserId,
                        String workflowId) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        try {
            operations.save(new OperationRecord(id, opType, OperationStatus.PENDING, UUID.fromString(appId),
                    envId == null ? null : UUID.fromString(envId), actorUserId == null ? null : UUID.fromString(actorUserId),
                    workflowId, null, "[]", null, now, now));
        } catch (DataAccessException e) {
            // Another operation holds the environment: retried with backoff until it ends.
            throw FailureType.ENVIRONMENT_BUSY.retryable("another operation is running on sandbox " + appId);
        }
    }

    @Override
    public void fallAsleep(SleepRequest request) {
        ActivityInfo info = Activity.getExecutionContext().getInfo();
        // A lifecycle started again after a crash keys its sleep by the access time the database kept, which
        // is not the one the lost run used: the unfinished sleep that run wrote is this one, carried on.
        UUID id = operations.findActiveForEnvironment(UUID.fromString(request.envId()))
                .filter(op -> op.type() == OperationType.SLEEP_SANDBOX)
                .map(OperationRecord::id)
                .orElseGet(() -> begin(request.operationKey(), OperationType.SLEEP_SANDBOX, request.appId(), request.envId(),
                        null, info.getWorkflowId()));
        boolean done = operations.findById(id).map(op -> op.status().isFinal()).orElse(false);
        // The email goes before the operation is recorded SUCCEEDED, keyed by the operation: a crash in between leaves the
        // sleep unfinished, and whichever run carries it on sends it at most once (a finished sleep's email went out).
        SandboxMail asleep = new SandboxMail(request.appId(), request.ownerUserId(), SandboxMail.Kind.ASLEEP, request.deletesAt());
        String mailKey = request.appId() + "/" + SandboxMail.Kind.ASLEEP + "/sleep-" + id;
        if (!done) {
            String opId = id.toString();
            List<OperationStep> steps = new ArrayList<>();
            long now = System.currentTimeMillis();
            if (lookup.require(request.envId()).status() == EnvironmentStatus.SLEEPING) {
                steps.add(new OperationStep("already-sleeping", StepStatus.SKIPPED, now, now, null));
            } else {
                steps.add(new OperationStep("stop-server", StepStatus.RUNNING, now, null, null));
                progress.record(new OperationProgress(opId, info.getWorkflowId(), info.getRunId(), OperationStatus.RUNNING,
                        List.copyOf(steps), null));
                runtime.stop(request.envId());
                steps.set(0, steps.get(0).finish(StepStatus.SUCCEEDED, System.currentTimeMillis(), null));
                long recording = System.currentTimeMillis();
                environments.updateStatus(UUID.fromString(request.envId()), EnvironmentStatus.SLEEPING, null, Instant.now());
                steps.add(new OperationStep("record-sleeping", StepStatus.SUCCEEDED, recording, System.currentTimeMillis(), null));
            }
            send(asleep, mailKey);
            progress.record(new OperationProgress(opId, info.getWorkflowId(), info.getRunId(), OperationStatus.SUCCEEDED,
                    List.copyOf(steps), null));
        } else {
            send(asleep, mailKey); // a retry after the operation was recorded (or a sleep an older version finished)
        }
    }

    @Override
    public void refuseOperation(String operationId, String reason) {
        progress.fail(UUID.fromString(operationId), reason);
    }

    /**
     * Once per key: a notice or an "asleep" by its time, a "was deleted" once per sandbox whatever its
     * time (the deletion that sends it may be carried on by another run, which reckons its time anew;
     * an older version keyed it by its time, which the prefix check still finds).
     */
    @Override
    public void sendSandboxMail(SandboxMail mail) {
        if (mail.kind() == SandboxMail.Kind.DELETED) {
            if (!sent.wasSentWithPrefix(mail.appId() + "/" + SandboxMail.Kind.DELETED + "/")) {
                send(mail, mail.appId() + "/" + SandboxMail.Kind.DELETED + "/once");
            }
            return;
        }
        send(mail, mail.appId() + "/" + mail.kind() + "/" + mail.nextActionAt());
    }

    private void send(SandboxMail mail, String key) {
        if (sent.wasSent(key)) {
            return;
        }
        UserRecord owner = users.findById(UUID.fromString(mail.ownerUserId()))
                .orElseThrow(() -> FailureType.NOT_FOUND.nonRetryable("user " + mail.ownerUserId()));
        String appName = apps.findById(UUID.fromString(mail.appId())).map(AppRecord::name).orElse("sandbox");
        mailer.send(SandboxMailTemplates.render(mail, owner.email(), owner.firstName(), appName, consoleUrl));
        sent.markSent(key, Instant.now());
    }
}
