package io.cloudplane.api.sandbox;

import io.cloudplane.api.app.AppService;
import io.cloudplane.api.operation.OperationLauncher;
import io.cloudplane.api.operation.OperationReconciler;
import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.infra.temporal.WorkflowExecutions;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.workflows.operation.OperationType;
import io.cloudplane.workflows.sandbox.SandboxLifecycleInput;
import io.cloudplane.workflows.sandbox.WakeRequest;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Found by the crash harness: after a restart that lost the embedded Temporal's memory, a sandbox's
 * unfinished sleep, wake and deletion had two owners (the reconciler, which started the kind's own
 * workflow, and the lifecycle recovery, which started a lifecycle that knew nothing of it): the
 * waker's lifecycle, started again asleep, found its deletion overdue and deleted the sandbox whose
 * server the reconciler's wake was starting; the deletion's last email was never sent. Now the
 * reconciler hands them to the recovery, which starts the lifecycle to carry each on. No worker runs
 * here: what is checked is which workflow was started, and with what.
 */
@MicronautTest(transactional = false)
class SandboxLifecycleRecoveryTest {
    @Inject WorkflowClient client;
    @Inject UserRepository users;
    @Inject AppService appService;
    @Inject AppRepository apps;
    @Inject EnvironmentRepository environments;
    @Inject OperationRepository operations;
    @Inject OperationLauncher launcher;
    @Inject SandboxLifecycles lifecycles;

    private OperationReconciler reconciler;
    private UserRecord owner;
    private UUID appId;
    private UUID envId;

    @BeforeEach
    void sandbox() {
        SandboxLifecycleRecovery recovery = new SandboxLifecycleRecovery(apps, environments, operations, lifecycles, client);
        reconciler = new OperationReconciler(operations, launcher, client, environments, List.of(recovery),
                new io.cloudplane.infra.monitoring.OperationMeters(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
        owner = users.save(new UserRecord(UUID.randomUUID(), "crash-" + UUID.randomUUID() + "@example.com", "C", "H",
                Instant.now().truncatedTo(ChronoUnit.MICROS)));
        OperationRecord created = appService.createApp(owner.id(), "sandbox", AppRecord.AppKind.SANDBOX);
        operations.finish(created.id(), OperationStatus.SUCCEEDED, null, Instant.now());
        appId = created.appId();
        envId = created.envId();
    }

    @Test
    void anUnfinishedWakeIsCarriedOnByTheLifecycleGivenTheWakeFirstNotByASecondStart() throws Exception {
        environments.updateStatus(envId, EnvironmentStatus.SLEEPING, null, Instant.now().minus(1, ChronoUnit.HOURS));
        UUID wake = lostOperation(OperationType.WAKE_SANDBOX, envId, owner.id(), "env-start/" + envId);

        reconciler.reconcile();

        assertFalse(exists("env-start/" + envId), "no start of the server beside the lifecycle's");
        SandboxLifecycleInput input = lifecycleInput();
        assertTrue(input.asleepSince() != null && !input.deletionBegun(), input.toString());
        WakeRequest signalled = wakeSignal().orElseThrow(() -> new AssertionError("no wake signalled with the start"));
        assertEquals(new WakeRequest(wake.toString(), owner.id().toString()), signalled);
    }

    @Test
    void aWakeWhoseSignalNeverReachedTheRunningLifecycleIsSignalledAgain() throws Exception {
        environments.updateStatus(envId, EnvironmentStatus.SLEEPING, null, Instant.now());
        lifecycles.start(appId, envId, owner.id(), System.currentTimeMillis(), System.currentTimeMillis());
        UUID wake = lostOperation(OperationType.WAKE_SANDBOX, envId, owner.id(), "env-start/" + envId);

        reconciler.reconcile();

        assertFalse(exists("env-start/" + envId), "no start of the server beside the lifecycle");
        assertEquals(new WakeRequest(wake.toString(), owner.id().toString()), wakeSignal().orElseThrow());
    }

    @Test
    void aLifecycleStartedAgainRightAfterAWakeCountsItsIdlePeriodFromTheWake() throws Exception {
        environments.updateStatus(envId, EnvironmentStatus.RUNNING, null, Instant.now());
        UUID wake = lostOperation(OperationType.WAKE_SANDBOX, envId, owner.id(), "env-start/" + envId);
        operations.finish(wake, OperationStatus.SUCCEEDED, null, Instant.now());
        long woken = operations.findById(wake).orElseThrow().updatedAt().toEpochMilli();

        reconciler.reconcile(); // nothing unfinished: the recovery's own pass
        new SandboxLifecycleRecovery(apps, environments, operations, lifecycles, client).recover();

        SandboxLifecycleInput input = lifecycleInput();
        assertEquals(null, input.asleepSince());
        assertTrue(input.lastStudioAccessAt() >= woken, "awake from the wake on, not from the last Studio access: " + input);
    }

    @Test
    void anUnfinishedSleepIsCarriedOnByTheLifecycleWithItsIdlePeriodOverNotByAStop() throws Exception {
        environments.updateStatus(envId, EnvironmentStatus.RUNNING, null, Instant.now());
        lostOperation(OperationType.SLEEP_SANDBOX, envId, null, "sandbox-lifecycle/" + appId);
        reconciler.reconcile();
        long after = System.currentTimeMillis();

        assertFalse(exists("env-stop/" + envId), "no stop beside the lifecycle's sleep");
        SandboxLifecycleInput input = lifecycleInput();
        assertEquals(null, input.asleepSince(), "awake, so that it falls asleep carrying on the sleep");
        assertTrue(input.lastStudioAccessAt() <= after - lifecycles.settings().idleMillis(),
                "its idle period is over: it falls asleep at once");
        assertTrue(wakeSignal().isEmpty());
    }

    @Test
    void anUnfinishedDeletionTheLifecycleBeganIsCarriedOnByTheLifecycleThatSendsTheLastEmail() throws Exception {
        environments.updateStatus(envId, EnvironmentStatus.SLEEPING, null, Instant.now());
        apps.updateStatus(appId, AppRecord.AppStatus.DELETING, Instant.now());
        lostOperation(OperationType.DELETE_APPLICATION, null, null, "app-delete/" + appId);

        reconciler.reconcile();

        assertFalse(exists("app-delete/" + appId), "the lifecycle starts the deletion as its child, then sends the email");
        assertTrue(lifecycleInput().deletionBegun());
    }

    @Test
    void aDeletionItsOwnerAskedForStaysTheReconcilers() throws Exception {
        apps.updateStatus(appId, AppRecord.AppStatus.DELETING, Instant.now());
        lostOperation(OperationType.DELETE_APPLICATION, null, owner.id(), "app-delete/" + appId);

        reconciler.reconcile();

        assertTrue(exists("app-delete/" + appId));
        assertFalse(exists("sandbox-lifecycle/" + appId));
    }

    /** An unfinished operation whose workflow the restart lost, created past the reconciler's grace period. */
    private UUID lostOperation(OperationType type, UUID env, UUID actor, String workflowId) {
        UUID id = UUID.randomUUID();
        Instant at = Instant.now().minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MICROS);
        operations.save(new OperationRecord(id, type, OperationStatus.RUNNING, appId, env, actor, workflowId, null, "[]", null, at, at));
        return id;
    }

    private boolean exists(String workflowId) {
        return WorkflowExecutions.describe(client, workflowId).isPresent();
    }

    private List<HistoryEvent> lifecycleHistory() {
        assertTrue(WorkflowExecutions.isRunning(client, "sandbox-lifecycle/" + appId), "the lifecycle runs again");
        return client.fetchHistory("sandbox-lifecycle/" + appId).getHistory().getEventsList();
    }

    private SandboxLifecycleInput lifecycleInput() {
        var payloads = lifecycleHistory().get(0).getWorkflowExecutionStartedEventAttributes().getInput();
        return client.getOptions().getDataConverter().fromPayloads(0, Optional.of(payloads), SandboxLifecycleInput.class,
                SandboxLifecycleInput.class);
    }

    private Optional<WakeRequest> wakeSignal() {
        return lifecycleHistory().stream().filter(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
                .map(e -> e.getWorkflowExecutionSignaledEventAttributes())
                .filter(s -> s.getSignalName().equals("wake"))
                .map(s -> client.getOptions().getDataConverter().fromPayloads(0, Optional.of(s.getInput()), WakeRequest.class,
                        WakeRequest.class))
                .findFirst();
    }
}
