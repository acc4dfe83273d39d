package io.cloudplane.workflows.sandbox;

import io.cloudplane.workflows.Histories;
import io.cloudplane.workflows.WorkflowTestSupport;
import io.cloudplane.workflows.app.DeleteApplicationWorkflowImpl;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.environment.DeleteEnvironmentWorkflowImpl;
import io.cloudplane.workflows.server.ServerActionWorkflowsImpl;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

/**
 * The sandbox lifecycle in skipped time, at its boundaries: a day is a day, and a minute matters.
 * The sleep itself (server stopped, SLEEPING, one email) is the {@code fallAsleep} activity's, tested
 * against the real database and runtime by the worker's FallAsleepActivityIT: here it is a fake
 * that only records what the workflow asked for.
 */
class SandboxLifecycleWorkflowTest {
    private static final long DAY = Duration.ofDays(1).toMillis();
    private static final LifecycleSettings SETTINGS = new LifecycleSettings(7 * DAY, 90 * DAY, List.of(DAY, 14 * DAY));
    private static final String ID = "sandbox-lifecycle/a1";

    private final WorkflowTestSupport mocks = new WorkflowTestSupport();
    private final SandboxActivities sandbox = mock(SandboxActivities.class, withSettings().withoutAnnotations());
    private final List<SandboxMail> mails = new CopyOnWriteArrayList<>();
    private final List<Long> mailTimes = new CopyOnWriteArrayList<>();
    /** The sleeps the workflow asked for. */
    private final List<SleepRequest> sleeps = new CopyOnWriteArrayList<>();
    /** The environments' statuses, as the database would keep them: set by setStatus, and by a sleep. */
    private final Map<String, EnvironmentStatus> statuses = new ConcurrentHashMap<>();
    private TestWorkflowEnvironment env;
    private long t0;

    @RegisterExtension
    final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
            .registerWorkflowImplementationTypes(SandboxLifecycleWorkflowImpl.class, ServerActionWorkflowsImpl.Stop.class,
                    ServerActionWorkflowsImpl.Start.class, DeleteApplicationWorkflowImpl.class, DeleteEnvironmentWorkflowImpl.class)
            .setActivityImplementations(mocks.databases, mocks.files, mocks.runtime, mocks.environments, mocks.operations, sandbox,
                    mocks.backups, mocks.code, mocks.releases)
            .setDoNotStart(true)
            .build();

    private SandboxLifecycleWorkflow start(TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
        prepare(testEnv);
        SandboxLifecycleWorkflow lifecycle = client.newWorkflowStub(SandboxLifecycleWorkflow.class,
                WorkflowOptions.newBuilder().setWorkflowId(ID).setTaskQueue(worker.getTaskQueue()).build());
        WorkflowClient.start(lifecycle::run, new SandboxLifecycleInput("a1", "e1", "u0", SETTINGS, t0, null));
        return client.newWorkflowStub(SandboxLifecycleWorkflow.class, ID);
    }

    private void prepare(TestWorkflowEnvironment testEnv) {
        env = testEnv;
        when(sandbox.beginOperation(anyString(), anyString(), any(), any(), any()))
                .thenAnswer(inv -> "op-" + inv.getArgument(0));
        doAnswer(inv -> {
            mails.add(inv.getArgument(0));
            mailTimes.add(env.currentTimeMillis());
            return null;
        }).when(sandbox).sendSandboxMail(any());
        doAnswer(inv -> {
            SleepRequest request = inv.getArgument(0);
            statuses.put(request.envId(), EnvironmentStatus.SLEEPING);
            sleeps.add(request);
            return null;
        }).when(sandbox).fallAsleep(any());
        doAnswer(inv -> statuses.put(inv.getArgument(0), inv.getArgument(1)))
                .when(mocks.environments).setStatus(anyString(), any(), any());
        doAnswer(inv -> statuses.getOrDefault(inv.getArgument(0), EnvironmentStatus.RUNNING))
                .when(mocks.environments).getStatus(anyString());
        doReturn(List.of("e1")).when(mocks.environments).listEnvironmentIds("a1");
        env.start();
        t0 = env.currentTimeMillis();
    }

    private long count(SandboxMail.Kind kind) {
        return mails.stream().filter(m -> m.kind() == kind).count();
    }

    @Test
    void atSevenDaysMinusAMinuteItIsAwakeAndAtSevenDaysPlusAMinuteAsleep(TestWorkflowEnvironment testEnv, Worker worker,
                                                                         WorkflowClient client) throws Exception {
        SandboxLifecycleWorkflow lifecycle = start(testEnv, worker, client);
        env.sleep(Duration.ofDays(7).minusMinutes(1));
        assertEquals(LifecyclePhase.AWAKE, lifecycle.schedule().phase());
        assertEquals(t0 + 7 * DAY, lifecycle.schedule().sleepsAt());
        verify(sandbox, never()).fallAsleep(any());
        verify(mocks.runtime, never()).stopServer(anyString());

        env.sleep(Duration.ofMinutes(2));
        await("asleep").until(() -> lifecycle.schedule().phase() == LifecyclePhase.ASLEEP);
        await("the sleep").until(() -> sleeps.size() == 1);
        LifecycleSchedule schedule = lifecycle.schedule();
        assertEquals(new SleepRequest("sleep-" + t0, "a1", "e1", "u0", schedule.deletesAt()), sleeps.get(0),
                "one sleep of this environment, whose email names the date of the next action");
        assertEquals(schedule.asleepSince() + 90 * DAY, schedule.deletesAt());
        assertEquals(List.of(schedule.deletesAt() - 14 * DAY, schedule.deletesAt() - DAY), schedule.deletionNoticesAt());
        assertEquals(0, mails.size(), "the asleep email is the sleep's own");
        assertTrue(Math.abs(schedule.asleepSince() - (t0 + 7 * DAY)) < Duration.ofMinutes(1).toMillis());
    }

    @Test
    void aSleepIsOneLocalActivityWithNoChildWorkflow(TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client)
            throws Exception {
        SandboxLifecycleWorkflow lifecycle = start(testEnv, worker, client);
        env.sleep(Duration.ofDays(7).plusMinutes(1));
        await("asleep").until(() -> sleeps.size() == 1);
        await("the notice timer set").until(() -> client.fetchHistory(ID).getHistory().getEventsList().stream()
                .filter(e -> e.getEventType() == EventType.EVENT_TYPE_TIMER_STARTED).count() == 2);
        List<HistoryEvent> events = client.fetchHistory(ID).getHistory().getEventsList();
        assertEquals(0, events.stream().filter(e -> e.getEventType() == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED)
                .count(), "no env-stop child");
        assertEquals(0, events.stream().filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).count(),
                "no activity task");
        assertEquals(1, events.stream().filter(e -> e.getEventType() == EventType.EVENT_TYPE_MARKER_RECORDED
                && e.getMarkerRecordedEventAttributes().getMarkerName().equals("LocalActivity")).count(), "one local activity");
        verify(sandbox).fallAsleep(new SleepRequest("sleep-" + t0, "a1", "e1", "u0", lifecycle.schedule().deletesAt()));
        verify(sandbox, never()).beginOperation(anyString(), anyString(), any(), eq(io.cloudplane.workflows.operation.OperationType.SLEEP_SANDBOX), any());
    }

    /** Found by the crash harness: a sandbox still provisioning when its idle period ends made the lifecycle fail. */
    @Test
    void aSleepThatFindsAnotherOperationOnTheSandboxIsRetriedUntilItSleeps(TestWorkflowEnvironment testEnv, Worker worker,
                                                                          WorkflowClient client) throws Exception {
        SandboxLifecycleWorkflow lifecycle = start(testEnv, worker, client);
        java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
        doAnswer(inv -> {
            if (attempts.incrementAndGet() <= 2) {
                throw io.cloudplane.workflows.common.FailureType.ENVIRONMENT_BUSY.retryable("another operation is running on sandbox a1");
            }
            SleepRequest request = inv.getArgument(0);
            statuses.put(request.envId(), EnvironmentStatus.SLEEPING);
            sleeps.add(request);
            return null;
        }).when(sandbox).fallAsleep(any());
        env.sleep(Duration.ofDays(7).plusMinutes(1));
        await("asleep").until(() -> sleeps.size() == 1);
        assertEquals(3, attempts.get(), "two busy attempts, then the sleep");
        assertEquals(LifecyclePhase.ASLEEP, lifecycle.schedule().phase(), "the lifecycle goes on");
    }

    @Test
    void aStudioAccessOnDaySixMovesTheSleepToDayThirteen(TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client)
            throws Exception {
        SandboxLifecycleWorkflow lifecycle = start(testEnv, worker, client);
        env.sleep(Duration.ofDays(6));
        lifecycle.studioAccessed();
        await("the clock restarted").until(() -> lifecycle.schedule().sleepsAt() > t0 + 7 * DAY);
        env.sleep(Duration.ofDays(7).minusMinutes(2));
        assertEquals(LifecyclePhase.AWAKE, lifecycle.schedule().phase(), "awake on day 13 minus a minute");
        verify(sandbox, never()).fallAsleep(any());
        verify(mocks.runtime, never()).stopServer(anyString());
        env.sleep(Duration.ofMinutes(3));
        await("asleep after day 13").until(() -> lifecycle.schedule().phase() == LifecyclePhase.ASLEEP);
        long asleep = lifecycle.schedule().asleepSince();
        assertTrue(Math.abs(asleep - (t0 + 13 * DAY)) < Duration.ofMinutes(2).toMillis(), "asleep at day 13");
    }

    @Test
    void noticesGoOutAtTheirLeadTimesThenTheSandboxIsDeletedAndTheOwnerToldSo(TestWorkflowEnvironment testEnv, Worker worker,
                                                                             WorkflowClient client) throws Exception {
        SandboxLifecycleWorkflow lifecycle = start(testEnv, worker, client);
        env.sleep(Duration.ofDays(7).plusMinutes(1));
        await("asleep").until(() -> sleeps.size() == 1);
        long deletesAt = lifecycle.schedule().deletesAt();

        env.sleep(Duration.ofMillis(deletesAt - 14 * DAY - env.currentTimeMillis()).minusMinutes(1));
        assertEquals(0, count(SandboxMail.Kind.DELETION_NOTICE), "no notice a minute before its time");
        env.sleep(Duration.ofMinutes(2));
        await("the 14-day notice").until(() -> count(SandboxMail.Kind.DELETION_NOTICE) == 1);

        env.sleep(Duration.ofMillis(deletesAt - DAY - env.currentTimeMillis()).plusMinutes(1));
        await("the 1-day notice").until(() -> count(SandboxMail.Kind.DELETION_NOTICE) == 2);
        verify(mocks.environments, never()).forgetApplication(anyString());

        env.sleep(Duration.ofDays(1));
        await("deleted").until(() -> count(SandboxMail.Kind.DELETED) == 1);
        verify(mocks.runtime, times(1)).stopServer("e1"); // in the teardown (the sleep's stop is fallAsleep's)
        verify(mocks.databases).dropDatabase("e1");
        verify(mocks.code).deleteCode("a1", "e1"); // a deleted sandbox leaves no code object
        verify(mocks.releases).deleteAppReleases("a1"); // nor a release object
        verify(mocks.environments).forgetApplication("a1");
        // The last email goes before the sandbox's record is forgotten (change farewell-before-forget): a kill in between
        // leaves the record, and the deletion carried on sends it once; sent after, a kill in between lost it.
        org.mockito.InOrder farewellFirst = org.mockito.Mockito.inOrder(sandbox, mocks.environments);
        farewellFirst.verify(sandbox).sendSandboxMail(org.mockito.ArgumentMatchers.argThat(m -> m.kind() == SandboxMail.Kind.DELETED));
        farewellFirst.verify(mocks.environments).forgetApplication("a1");

        List<Long> noticeTimes = new java.util.ArrayList<>();
        long deletedAt = 0;
        for (int i = 0; i < mails.size(); i++) {
            if (mails.get(i).kind() == SandboxMail.Kind.DELETION_NOTICE) {
                noticeTimes.add(mailTimes.get(i));
            } else if (mails.get(i).kind() == SandboxMail.Kind.DELETED) {
                deletedAt = mailTimes.get(i);
            }
        }
        assertTrue(deletedAt - noticeTimes.get(0) >= 14 * DAY - Duration.ofMinutes(1).toMillis(), "14 days of notice");
        assertTrue(deletedAt - noticeTimes.get(1) >= DAY - Duration.ofMinutes(1).toMillis(), "1 day of notice");
        client.newUntypedWorkflowStub(ID).getResult(Void.class);
        Histories.saveIfAsked(client, ID, "SandboxLifecycleWorkflow", "deleted-farewell-v1.json");
        Histories.saveIfAsked(client, "app-delete/a1", "DeleteApplicationWorkflow", "farewell-v1.json");
    }

    @Test
    void aLifecycleStartedAgainMidDeletionDeletesAtOnceAndTellsTheOwnerOnce(TestWorkflowEnvironment testEnv, Worker worker,
                                                                           WorkflowClient client) throws Exception {
        prepare(testEnv);
        // The run that began the deletion was lost in a crash; the recovery starts the lifecycle again with deletionBegun.
        SandboxLifecycleWorkflow lifecycle = client.newWorkflowStub(SandboxLifecycleWorkflow.class,
                WorkflowOptions.newBuilder().setWorkflowId(ID).setTaskQueue(worker.getTaskQueue()).build());
        WorkflowClient.start(lifecycle::run, new SandboxLifecycleInput("a1", "e1", "u0", SETTINGS, t0 - 98 * DAY, t0 - 91 * DAY, true));
        client.newUntypedWorkflowStub(ID).getResult(Void.class);
        assertEquals(1, count(SandboxMail.Kind.DELETED), "the last email, once");
        assertEquals(0, count(SandboxMail.Kind.DELETION_NOTICE), "no notice again: the deletion had begun");
        assertTrue(sleeps.isEmpty(), "no sleep");
        verify(sandbox).beginOperation(anyString(), eq("a1"), eq(null), eq(io.cloudplane.workflows.operation.OperationType.DELETE_APPLICATION), eq(null));
        verify(mocks.environments).forgetApplication("a1");
        verify(mocks.databases).dropDatabase("e1");
        assertTrue(mailTimes.get(0) - t0 < Duration.ofMinutes(1).toMillis(), "at once, with no wait");
        Histories.saveIfAsked(client, ID, "SandboxLifecycleWorkflow", "resumed-deletion-farewell-v1.json");
    }

    @Test
    void aLifecycleStartedAgainAsleepWithTheLostRunsWakeWakesAlthoughItsDeletionIsOverdue(TestWorkflowEnvironment testEnv,
                                                                                         Worker worker, WorkflowClient client)
            throws Exception {
        prepare(testEnv);
        statuses.put("e1", EnvironmentStatus.SLEEPING);
        // The wake was accepted before the deletion was due; the crash lost the run, and the restart came after the deletion's time.
        SandboxLifecycleWorkflow lifecycle = client.newWorkflowStub(SandboxLifecycleWorkflow.class,
                WorkflowOptions.newBuilder().setWorkflowId(ID).setTaskQueue(worker.getTaskQueue()).build());
        io.temporal.client.BatchRequest request = client.newSignalWithStartRequest();
        request.add(lifecycle::run, new SandboxLifecycleInput("a1", "e1", "u0", SETTINGS, t0 - 98 * DAY, t0 - 91 * DAY));
        request.add(lifecycle::wake, new WakeRequest("wake-op", "u1"));
        client.signalWithStart(request);
        await("awake again").until(() -> count(SandboxMail.Kind.AWAKE) == 1);
        verify(mocks.runtime).startServer("e1");
        verify(sandbox, never()).beginOperation(anyString(), anyString(), any(), eq(io.cloudplane.workflows.operation.OperationType.WAKE_SANDBOX), any());
        env.sleep(Duration.ofDays(1));
        verify(mocks.environments, never()).forgetApplication(anyString());
        assertEquals(0, count(SandboxMail.Kind.DELETED));
        assertEquals(0, count(SandboxMail.Kind.DELETION_NOTICE));
    }

    @Test
    void aWakeInTheNoticePeriodCancelsTheDeletion(TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client)
            throws Exception {
        SandboxLifecycleWorkflow lifecycle = start(testEnv, worker, client);
        env.sleep(Duration.ofDays(7 + 77));
        await("the first notice").until(() -> count(SandboxMail.Kind.DELETION_NOTICE) == 1);
        lifecycle.wake(new WakeRequest(null, "u1"));
        await("awake again").until(() -> count(SandboxMail.Kind.AWAKE) == 1);
        verify(mocks.runtime).startServer("e1");
        verify(sandbox).beginOperation(anyString(), eq("a1"), eq("e1"), eq(io.cloudplane.workflows.operation.OperationType.WAKE_SANDBOX), eq("u1"));
        await("a new awake cycle").until(() -> !client.fetchHistory(ID).getHistory().getEvents(0)
                .getWorkflowExecutionStartedEventAttributes().getContinuedExecutionRunId().isEmpty());
        assertEquals(LifecyclePhase.AWAKE, client.newWorkflowStub(SandboxLifecycleWorkflow.class, ID).schedule().phase());
        String wokenRun = client.fetchHistory(ID).getHistory().getEvents(0).getWorkflowExecutionStartedEventAttributes()
                .getContinuedExecutionRunId();
        Histories.saveIfAsked(client, ID, wokenRun, "SandboxLifecycleWorkflow", "woken-sleep-v1.json");
        env.sleep(Duration.ofDays(14));
        verify(mocks.environments, never()).forgetApplication(anyString());
        assertEquals(0, count(SandboxMail.Kind.DELETED));
    }

    @Test
    void aWakeThatArrivesOnceTheDeletionHasBegunIsRefusedAndTheDeletionCompletes(TestWorkflowEnvironment testEnv, Worker worker,
                                                                                  WorkflowClient client) throws Exception {
        CountDownLatch wakeSent = new CountDownLatch(1);
        SandboxLifecycleWorkflow[] lifecycle = new SandboxLifecycleWorkflow[1];
        lifecycle[0] = start(testEnv, worker, client);
        // The deletion's first step signals a wake: the wake arrives while the deletion runs.
        doAnswer(inv -> {
            lifecycle[0].wake(new WakeRequest("wake-op", "u1"));
            wakeSent.countDown();
            return List.of("e1");
        }).when(mocks.environments).listEnvironmentIds("a1");
        env.sleep(Duration.ofDays(7 + 91));
        assertTrue(wakeSent.await(10, TimeUnit.SECONDS));
        await("deleted").until(() -> count(SandboxMail.Kind.DELETED) == 1);
        verify(mocks.environments).forgetApplication("a1");
        verify(mocks.runtime, never()).startServer(anyString());
        await("the late wake refused").untilAsserted(() -> verify(sandbox).refuseOperation(eq("wake-op"), anyString()));
    }

    @Test
    void aLoginWhileAwakeChangesNothing(TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) throws Exception {
        SandboxLifecycleWorkflow lifecycle = start(testEnv, worker, client);
        env.sleep(Duration.ofDays(3));
        lifecycle.wake(new WakeRequest(null, "u1"));
        lifecycle.wake(new WakeRequest("explicit-op", "u1"));
        await("the explicit wake answered").untilAsserted(() -> verify(sandbox).refuseOperation(eq("explicit-op"), anyString()));
        assertEquals(t0 + 7 * DAY, lifecycle.schedule().sleepsAt(), "the idle clock did not move");
        verify(mocks.runtime, never()).startServer(anyString());
        assertEquals(0, mails.size());
    }

    @Test
    void manyStudioAccessesContinueAsNewAndKeepTheSchedule(TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client)
            throws Exception {
        SandboxLifecycleWorkflow lifecycle = start(testEnv, worker, client);
        for (int i = 0; i < 500; i++) {
            lifecycle.studioAccessed();
        }
        await("continued as new").until(() -> !client.fetchHistory(ID).getHistory().getEvents(0)
                .getWorkflowExecutionStartedEventAttributes().getContinuedExecutionRunId().isEmpty());
        LifecycleSchedule schedule = client.newWorkflowStub(SandboxLifecycleWorkflow.class, ID).schedule();
        assertEquals(LifecyclePhase.AWAKE, schedule.phase());
        assertTrue(schedule.lastStudioAccessAt() >= t0);
    }

    @Test
    void aNoticeSentLateStillGetsItsFullLeadTimeBeforeTheDeletion(TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client)
            throws Exception {
        SandboxLifecycleWorkflow lifecycle = start(testEnv, worker, client);
        env.sleep(Duration.ofDays(7).plusMinutes(1));
        await("asleep").until(() -> sleeps.size() == 1);
        long plannedDeletion = lifecycle.schedule().deletesAt();
        // The mail service fails from the 1-day notice's time until an hour after the planned
        // deletion, as if the worker or the mail service had been down.
        doAnswer(inv -> {
            SandboxMail mail = inv.getArgument(0);
            if (mail.kind() == SandboxMail.Kind.DELETION_NOTICE && count(SandboxMail.Kind.DELETION_NOTICE) == 1
                    && env.currentTimeMillis() < plannedDeletion + Duration.ofHours(1).toMillis()) {
                throw new IllegalStateException("mail service down");
            }
            mails.add(mail);
            mailTimes.add(env.currentTimeMillis());
            return null;
        }).when(sandbox).sendSandboxMail(any());

        env.sleep(Duration.ofMillis(plannedDeletion - env.currentTimeMillis()).plusHours(2));
        await("the late notice").until(() -> count(SandboxMail.Kind.DELETION_NOTICE) == 2);
        verify(mocks.environments, never()).forgetApplication(anyString());
        long lateNotice = mailTimes.get(mails.lastIndexOf(mails.stream().filter(m -> m.kind() == SandboxMail.Kind.DELETION_NOTICE)
                .reduce((a, b) -> b).orElseThrow()));
        assertTrue(lateNotice > plannedDeletion, "the notice went out after the planned deletion");

        env.sleep(Duration.ofDays(1).plusMinutes(10));
        await("deleted").until(() -> count(SandboxMail.Kind.DELETED) == 1);
        long deletedAt = mailTimes.get(mails.indexOf(mails.stream().filter(m -> m.kind() == SandboxMail.Kind.DELETED)
                .findFirst().orElseThrow()));
        assertTrue(deletedAt - lateNotice >= DAY, "a full day of notice after the late notice, not less");
    }
}
